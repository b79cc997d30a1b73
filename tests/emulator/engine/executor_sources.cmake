# owned by the executor part of the engine
list(APPEND EMU_ENGINE_SOURCES
  batch.cc
  convert.cc
  datetime.cc
  exec_errors.cc
  exec_proc.cc
  exec_select.cc
  functions.cc
  instance.cc
  parser.cc
  parser_expr.cc
  parser_stmt.cc
  rpc.cc
  session.cc
  stats.cc
  table_vars.cc
  translate.cc
  translate_func.cc
)
