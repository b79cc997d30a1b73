// wire_odbc_test.cc — see below.
