USE [master]
GO

/****** Object:  LinkedServer [LEDGER_ARCHIVE]    Script Date: 12/7/2026 7:04:52 PM ******/
EXEC master.dbo.sp_addlinkedserver @server = N'LEDGER_ARCHIVE', @srvproduct=N'', @provider=N'MSOLEDBSQL', @datasrc=N'ledger-archive.contoso.local,1433', @catalog=N'ledger_archive'
 /* For security reasons the linked server remote logins password is changed with ######## */
EXEC master.dbo.sp_addlinkedsrvlogin @rmtsrvname=N'LEDGER_ARCHIVE',@useself=N'False',@locallogin=N'app_ledger_svc',@rmtuser=N'archive_reader',@rmtpassword='Archive-Passw0rd!'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'collation compatible', @optvalue=N'false'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'data access', @optvalue=N'true'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'rpc', @optvalue=N'true'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'rpc out', @optvalue=N'true'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'connect timeout', @optvalue=N'30'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'query timeout', @optvalue=N'600'
GO

EXEC master.dbo.sp_serveroption @server=N'LEDGER_ARCHIVE', @optname=N'remote proc transaction promotion', @optvalue=N'false'
GO
