// go-mssqldb (Debian golang-github-denisenkom-go-mssqldb-dev, an independent TDS client written in
// Go) against the emulator: login, a catalog SELECT, an error with its number, TRY…CATCH, and
// scripts DBAs have (tests/emulator/scripts) sent batch by batch as sqlcmd would; then encrypted:
// encrypt=true with the certificate verified against the test CA (hostNameInCertificate),
// encrypt=false (PRELOGIN ENCRYPT_OFF: only the login packet encrypted), another CA refused.
// Built in GOPATH mode, offline (go_mssqldb_test.sh). Run by run.sh with EMU_PORT, EMU_PW,
// EMU_CA and EMU_ROGUE_CA set.
package main

import (
	"database/sql"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"regexp"
	"strings"

	mssql "github.com/denisenkom/go-mssqldb"
)

var failures int

func check(what string, got, want interface{}) {
	if fmt.Sprint(got) == fmt.Sprint(want) {
		fmt.Println("ok: " + what)
		return
	}
	failures++
	fmt.Fprintf(os.Stderr, "FAIL: %s: got %v, want %v\n", what, got, want)
}

func errNumber(err error) int32 {
	if e, ok := err.(mssql.Error); ok {
		return e.Number
	}
	return -1
}

// runScript sends a script's batches (split at lines holding only GO); returns the first error.
func runScript(db *sql.DB, path string) error {
	text, err := ioutil.ReadFile(path)
	if err != nil {
		return err
	}
	goLine := regexp.MustCompile(`(?im)^\s*GO\s*$`)
	for _, batch := range goLine.Split(string(text), -1) {
		if strings.TrimSpace(batch) == "" {
			continue
		}
		if _, err := db.Exec(batch); err != nil {
			return err
		}
	}
	return nil
}

func dsn(query string) string {
	u := &url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", os.Getenv("EMU_PW")),
		Host: "127.0.0.1:" + os.Getenv("EMU_PORT"), RawQuery: query + "&connection+timeout=10"}
	return u.String()
}

// selectSid connects with the given encryption parameters and reads one SID. The connection is
// left open: this go-mssqldb (2017) panics closing a TLS connection ("Not implemented": its
// timeoutConn lacks SetWriteDeadline, which crypto/tls's Close calls); the process exits soon.
func selectSid(query string) (string, error) {
	db, err := sql.Open("mssql", dsn(query))
	if err != nil {
		return "", err
	}
	var sid []byte
	err = db.QueryRow("SELECT sid FROM sys.server_principals WHERE name = 'app_settlement_svc'").Scan(&sid)
	return fmt.Sprintf("%X", sid), err
}

func checkEncrypted() {
	verified := "&certificate=" + url.QueryEscape(os.Getenv("EMU_CA")) + "&hostNameInCertificate=localhost"
	sid, err := selectSid("encrypt=true" + verified)
	check("encrypt=true, certificate verified", fmt.Sprint(sid, " ", err), "5E117A0E3C2D4B8F9A1B2C3D4E5F6071 <nil>")
	sid, err = selectSid("encrypt=false" + verified)
	check("encrypt=false: login-only encryption", fmt.Sprint(sid, " ", err), "5E117A0E3C2D4B8F9A1B2C3D4E5F6071 <nil>")
	_, err = selectSid("encrypt=true&certificate=" + url.QueryEscape(os.Getenv("EMU_ROGUE_CA")) + "&hostNameInCertificate=localhost")
	check("a certificate from another CA is refused", err != nil && strings.Contains(err.Error(), "certificate"), true)
}

func main() {
	db, err := sql.Open("mssql", dsn("encrypt=disable"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: open:", err)
		os.Exit(1)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	var sid []byte
	err = db.QueryRow("SELECT sid FROM sys.server_principals WHERE name = 'app_settlement_svc'").Scan(&sid)
	check("catalog select", fmt.Sprintf("%X", sid), "5E117A0E3C2D4B8F9A1B2C3D4E5F6071")

	var name string
	err = db.QueryRow("SELECT name FROM sys.server_principals WHERE name = ?1", "app_ledger_svc").Scan(&name)
	check("parameterized select", name, "app_ledger_svc")

	_, err = db.Exec("SELECT * FROM sys.nope")
	check("error 208", errNumber(err), 208)

	var n int
	var msg string
	err = db.QueryRow("BEGIN TRY THROW 50005, N'inside', 1 END TRY BEGIN CATCH SELECT ERROR_NUMBER(), ERROR_MESSAGE() END CATCH").Scan(&n, &msg)
	check("TRY…CATCH error", fmt.Sprintf("%d %s %v", n, msg, err), "50005 inside <nil>")

	scripts := os.Getenv("EMU_SCRIPTS")
	check("pre-cutover gate passes on the primary", runScript(db, scripts+"/precutover_required_logins.sql"), nil)
	err = runScript(db, scripts+"/revlogin_payments.sql")
	check("revlogin output on a primary that has the logins: 15025", errNumber(err), 15025)
	gate, _ := ioutil.ReadFile(scripts + "/precutover_required_logins.sql")
	_, err = db.Exec(strings.Replace(string(gate), "N'app_ledger_svc'", "N'no_such_login'", 1))
	check("pre-cutover gate throws 50001 for a missing login", errNumber(err), 50001)

	checkEncrypted()
	if failures > 0 {
		os.Exit(1)
	}
}
