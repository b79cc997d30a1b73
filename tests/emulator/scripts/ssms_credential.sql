USE [master]
GO

/****** Object:  Credential [payments_backup_url]    Script Date: 12/7/2026 7:02:11 PM ******/
CREATE CREDENTIAL [payments_backup_url] WITH IDENTITY = N'SHARED ACCESS SIGNATURE'
GO
