-- Pre-cutover gate on the target: fail loudly if a required login is missing,
-- before anyone declares the migration done.
DECLARE @required TABLE (name sysname);
INSERT INTO @required VALUES (N'app_settlement_svc'), (N'app_ledger_svc');
IF EXISTS (SELECT 1 FROM @required r
           WHERE NOT EXISTS (SELECT 1 FROM sys.server_principals p WHERE p.name = r.name))
    THROW 50001, 'Required login(s) missing on MI -- do not cut over.', 1;
