# owned by the state part of the engine
add_executable(emu_state_tests
  catalog_state_test.cc
  fixture_state_test.cc
  ddl_state_test.cc
  procs_state_test.cc
  agent_state_test.cc
  master_state_test.cc
  executor_state_test.cc
  views_state_test.cc
)
target_compile_definitions(emu_state_tests PRIVATE UNDERSTUDY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(emu_state_tests PRIVATE emu_engine GTest::gtest_main understudy_warnings)
gtest_discover_tests(emu_state_tests DISCOVERY_TIMEOUT 120)
# Its files share internal names (anonymous namespaces); a unity build would collide.
set_target_properties(emu_state_tests PROPERTIES UNITY_BUILD OFF)
