// wire_raw_test.cc
