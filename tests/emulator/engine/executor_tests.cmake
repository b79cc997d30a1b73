# owned by the executor part of the engine
add_executable(emu_executor_tests
  parse_exec_test.cc
  select_exec_test.cc
)
target_link_libraries(emu_executor_tests PRIVATE emu_engine GTest::gtest_main understudy_warnings)
gtest_discover_tests(emu_executor_tests DISCOVERY_TIMEOUT 120)
