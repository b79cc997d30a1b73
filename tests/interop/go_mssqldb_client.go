// go-mssqldb (Debian golang-github-denisenkom-go-mssqldb-dev, an independent TDS client written in
// Go) against the emulator: login, a catalog SELECT, an error with its number, TRY…CATCH, and
// scripts DBAs have (tests/emulator/scripts) sent batch by batch as sqlcmd would.
// Built in GOPATH mode, offline (go_mssqldb_test.sh). Run by run.sh with EMU_PORT, EMU_PW set.
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

func main() {
	u := &url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", os.Getenv("EMU_PW")),
		Host: "127.0.0.1:" + os.Getenv("EMU_PORT"), RawQuery: "encrypt=disable&connection+timeout=10"}
	db, err := sql.Open("mssql", u.String())
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

	if failures > 0 {
		os.Exit(1)
	}
}
