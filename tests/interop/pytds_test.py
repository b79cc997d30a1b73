"""pytds (Debian python3-tds, an independent TDS client) against the emulator.

Login, catalog SELECT, an error with its number, parameterized statements (sp_executesql RPC),
transactions (pytds begins one right after login when autocommit is off); then encrypted: with
cafile (PRELOGIN ENCRYPT_ON, the whole session encrypted, certificate and host name verified),
with enc_login_only (ENCRYPT_OFF: only the login packet), and a certificate from another CA refused.
Run by run.sh with EMU_PORT, EMU_PW, EMU_CA and EMU_ROGUE_CA set. Exit 77 when pytds is not installed.
"""
import os
import sys

try:
    import pytds
except ImportError:
    print("pytds not installed (python3-tds)")
    sys.exit(77)

PORT = int(os.environ["EMU_PORT"])
PW = os.environ["EMU_PW"]
failures = []


def check(what, got, want):
    if got == want:
        print("ok: " + what)
    else:
        failures.append(what)
        print("FAIL: %s: got %r, want %r" % (what, got, want), file=sys.stderr)


def connect(password=PW, autocommit=True, **tls):
    # With TLS, pytds checks the certificate's CN against the server name: localhost.
    return pytds.connect(server="localhost" if tls else "127.0.0.1", port=PORT, user="sa", password=password,
                         autocommit=autocommit, login_timeout=10, timeout=30, **tls)


with connect() as conn:
    cur = conn.cursor()
    cur.execute("SELECT name, sid FROM sys.server_principals WHERE name = 'app_settlement_svc'")
    check("catalog select", cur.fetchall(),
          [("app_settlement_svc", bytes.fromhex("5E117A0E3C2D4B8F9A1B2C3D4E5F6071"))])

    cur.execute("SELECT name FROM sys.server_principals WHERE sid = %s",
                (pytds.Binary(bytes.fromhex("1ED6E5A0B1C2D3E4F5061728394A5B6C")),))
    check("parameterized select (varbinary)", cur.fetchall(), [("app_ledger_svc",)])

    cur.execute("SELECT name FROM sys.server_principals WHERE name = %s", ("app_ledger_svc",))
    check("parameterized select (nvarchar(max))", cur.fetchall(), [("app_ledger_svc",)])

    try:
        cur.execute("SELECT * FROM sys.nope")
        check("error 208 raised", "no error", 208)
    except pytds.Error as e:
        check("error 208 number", e.number, 208)
        check("error 208 text", e.text if hasattr(e, "text") else str(e), "Invalid object name 'sys.nope'.")

with connect(autocommit=False) as conn:
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM sys.server_principals WHERE name LIKE 'app[_]%'")
    check("select inside the implicit transaction", cur.fetchall(), [(2,)])
    conn.commit()
    conn.rollback()

try:
    connect(password="wrong").close()
    check("wrong password refused", "connected", 18456)
except pytds.Error as e:
    check("wrong password refused with 18456", getattr(e, "number", None), 18456)

SELECT_SID = "SELECT sid FROM sys.server_principals WHERE name = 'app_settlement_svc'"
for what, tls in (("encrypted", {"cafile": os.environ["EMU_CA"]}),
                  ("login-only encrypted", {"cafile": os.environ["EMU_CA"], "enc_login_only": True})):
    with connect(**tls) as conn:
        cur = conn.cursor()
        cur.execute(SELECT_SID)
        check(what + ": catalog select", cur.fetchall(), [(bytes.fromhex("5E117A0E3C2D4B8F9A1B2C3D4E5F6071"),)])

try:
    connect(cafile=os.environ["EMU_ROGUE_CA"]).close()
    check("a certificate from another CA is refused", "connected", "refused")
except Exception as e:  # pyOpenSSL raises its own error type from the handshake
    check("a certificate from another CA is refused", "certificate verify failed" in str(e), True)

sys.exit(1 if failures else 0)
