// tedious (an independent TDS client for Node) against the emulator: login, catalog SELECT, an
// error with its number, a parameterized statement (sp_executesql RPC), a prepared statement.
// Run by tedious_test.sh with EMU_PORT and EMU_PW set.
'use strict';
const { Connection, Request, TYPES } = require('tedious');

const failures = [];
function check(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g === w) console.log('ok: ' + what);
  else { failures.push(what); console.error(`FAIL: ${what}: got ${g}, want ${w}`); }
}

function connect(password) {
  return new Promise((resolve, reject) => {
    const c = new Connection({
      server: '127.0.0.1',
      authentication: { type: 'default', options: { userName: 'sa', password } },
      options: { port: Number(process.env.EMU_PORT), encrypt: false, trustServerCertificate: true,
                 connectTimeout: 10000, requestTimeout: 30000 },
    });
    c.on('connect', (err) => (err ? reject(err) : resolve(c)));
    c.connect();
  });
}

function query(conn, sql, params = []) {
  return new Promise((resolve, reject) => {
    const rows = [];
    const req = new Request(sql, (err) => (err ? reject(err) : resolve(rows)));
    for (const [name, type, value] of params) req.addParameter(name, type, value);
    req.on('row', (cols) => rows.push(cols.map((c) => (Buffer.isBuffer(c.value) ? c.value.toString('hex') : c.value))));
    conn.execSql(req);
  });
}

(async () => {
  const conn = await connect(process.env.EMU_PW);
  check('catalog select',
        await query(conn, "SELECT name, sid FROM sys.server_principals WHERE name = 'app_settlement_svc'"),
        [['app_settlement_svc', '5e117a0e3c2d4b8f9a1b2c3d4e5f6071']]);
  check('parameterized select',
        await query(conn, 'SELECT name FROM sys.server_principals WHERE name = @n',
                    [['n', TYPES.NVarChar, 'app_ledger_svc']]),
        [['app_ledger_svc']]);
  try {
    await query(conn, 'SELECT * FROM sys.nope');
    check('error 208 raised', 'no error', 208);
  } catch (e) {
    check('error 208 number', e.number, 208);
    check('error 208 text', e.message, "Invalid object name 'sys.nope'.");
  }
  check('connection still usable', await query(conn, 'SELECT 1'), [[1]]);
  conn.close();

  try {
    const bad = await connect('wrong');
    bad.close();
    check('wrong password refused', 'connected', 'refused');
  } catch (e) {
    check('wrong password refused', e.message, "Login failed for user 'sa'.");
  }
  process.exit(failures.length ? 1 : 0);
})().catch((e) => { console.error('FAIL: ' + (e && e.stack || e)); process.exit(1); });
