USE [msdb]
GO

/****** Object:  Operator [Payments DBA]    Script Date: 12/7/2026 7:03:40 PM ******/
EXEC msdb.dbo.sp_add_operator @name=N'Payments DBA', 
		@enabled=1, 
		@weekday_pager_start_time=90000, 
		@weekday_pager_end_time=180000, 
		@saturday_pager_start_time=90000, 
		@saturday_pager_end_time=180000, 
		@sunday_pager_start_time=90000, 
		@sunday_pager_end_time=180000, 
		@pager_days=0, 
		@email_address=N'payments-dba@contoso.example', 
		@category_name=N'[Uncategorized]'
GO
