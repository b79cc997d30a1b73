// tedious (an independent TDS client for Node) against the emulator: login, catalog SELECT, an
// error with its number, a parameterized statement (sp_executesql RPC), a prepared statement;
// then encrypted with the certificate verified against the test CA — TDS 7.4 (encrypt: true, the
// handshake inside PRELOGIN) and TDS 8.0 (encrypt: 'strict', TLS first with ALPN tds/8.0) — and a
// certificate from another CA refused.
// Run by tedious_test.sh with EMU_PORT, EMU_PW, EMU_CA and EMU_ROGUE_CA set.
'use strict';
const fs = require('fs');
const { Connection, Request, TYPES } = require('tedious');

const failures = [];
function check(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g === w) console.log('ok: ' + what);
  else { failures.push(what); console.error(`FAIL: ${what}: got ${g}, want ${w}`); }
}

// tls: undefined (plain) or { encrypt: true | 'strict', ca: PEM file } — verified, never trusted blindly.
function connect(password, tls) {
  const encryption = tls
    ? { encrypt: tls.encrypt, trustServerCertificate: false, serverName: 'localhost',
        cryptoCredentialsDetails: { ca: fs.readFileSync(tls.ca) } }
    : { encrypt: false, trustServerCertificate: true };
  return new Promise((resolve, reject) => {
    const c = new Connection({
      server: '127.0.0.1',
      authentication: { type: 'default', options: { userName: 'sa', password } },
      options: { port: Number(process.env.EMU_PORT), connectTimeout: 10000, requestTimeout: 30000, ...encryption },
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

  for (const encrypt of [true, 'strict']) {
    const enc = await connect(process.env.EMU_PW, { encrypt, ca: process.env.EMU_CA });
    check(`encrypt: ${encrypt}, certificate verified: catalog select`,
          await query(enc, "SELECT name FROM sys.server_principals WHERE name = 'app_ledger_svc'"), [['app_ledger_svc']]);
    enc.close();
    try {
      const rogue = await connect(process.env.EMU_PW, { encrypt, ca: process.env.EMU_ROGUE_CA });
      rogue.close();
      check(`encrypt: ${encrypt}: a certificate from another CA is refused`, 'connected', 'refused');
    } catch (e) {
      check(`encrypt: ${encrypt}: a certificate from another CA is refused`,
            /self[- ]signed|unable to (get|verify)/i.test(e.message), true);
    }
  }
  process.exit(failures.length ? 1 : 0);
})().catch((e) => { console.error('FAIL: ' + (e && e.stack || e)); process.exit(1); });
