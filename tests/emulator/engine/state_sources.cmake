# owned by the state part of the engine
list(APPEND EMU_ENGINE_SOURCES
  state_util.cc
  schema.cc
  schema_master.cc
  procs_master.cc
  views.cc
  hashing.cc
  model_principals.cc
  model_linked.cc
  agent_model.cc
  catalog_state.cc
  fixture.cc
  ddl.cc
  ddl_login.cc
  ddl_role.cc
  ddl_grant.cc
  ddl_credential.cc
  procs.cc
  procs_linked.cc
  procs_deprecated.cc
  procs_agent_job.cc
  procs_agent_step.cc
  procs_agent_schedule.cc
  procs_agent_operator.cc
  procs_agent_proxy.cc
)
