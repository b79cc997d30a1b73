# owned by the executor part of the engine
add_executable(emu_executor_tests
  parse_exec_test.cc
  select_exec_test.cc
  snapshot_exec_test.cc
  expr_exec_test.cc
  control_exec_test.cc
  rpc_exec_test.cc
  try_catch_exec_test.cc
  scripts_exec_test.cc
  types_exec_test.cc
)
target_compile_definitions(emu_executor_tests PRIVATE EMU_FIXTURE_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures"
  EMU_SCRIPT_DIR="${PROJECT_SOURCE_DIR}/tests/emulator/scripts")
target_link_libraries(emu_executor_tests PRIVATE emu_engine GTest::gtest_main understudy_warnings)
gtest_discover_tests(emu_executor_tests DISCOVERY_TIMEOUT 120)
