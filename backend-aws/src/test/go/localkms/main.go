// Command localkms runs local-kms (github.com/nsmithuk/local-kms), a fake of AWS KMS, for Sigil's
// tests of backend-aws. It differs from local-kms's own main in what a test harness needs:
//
//   - it listens on 127.0.0.1 only, on a port the kernel chooses, and prints that address as
//     "LISTENING 127.0.0.1:PORT" on stdout for the Java side (LocalKms.java) to read;
//   - it exits as soon as its stdin closes, so it never outlives the test JVM that started it;
//   - it refuses to run without GODEBUG=fips140=on: only then does Go's rsa.SignPSS, which
//     local-kms calls with the default options, use a salt as long as the digest, as real KMS
//     does (otherwise it uses the longest salt that fits);
//   - it does no YAML seeding: the tests create their keys through the KMS API.
//
// Environment: KMS_DATA_PATH (required, the LevelDB directory), KMS_REGION (default eu-west-2),
// KMS_ACCOUNT_ID (default 111122223333). local-kms logs each request on stderr.
package main

import (
	"crypto/fips140"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
)

func main() {
	if !fips140.Enabled() {
		fail("run with GODEBUG=fips140=on: without it local-kms signs RSASSA-PSS with the maximum salt length, unlike AWS KMS")
	}
	dataPath := os.Getenv("KMS_DATA_PATH")
	if dataPath == "" {
		fail("KMS_DATA_PATH (the data directory) is required")
	}
	abs, err := filepath.Abs(dataPath)
	if err != nil {
		fail(err.Error())
	}
	config.DatabasePath = abs
	config.AWSRegion = envOr("KMS_REGION", "eu-west-2")
	config.AWSAccountId = envOr("KMS_ACCOUNT_ID", "111122223333")

	database := data.NewDatabase(config.DatabasePath)
	defer database.Close()

	// Loopback only: a test KMS must never be reachable from elsewhere.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err.Error())
	}

	go func() {
		// Closed stdin means the parent is gone (or asked us to stop).
		// Closing the listener ends Serve below; main then closes the database and returns.
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = ln.Close()
	}()

	fmt.Printf("LISTENING %s\n", ln.Addr().String())
	_ = os.Stdout.Sync()

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src.HandleRequest(w, r, database)
	})
	if err := http.Serve(ln, handler); err != nil && !errors.Is(err, net.ErrClosed) {
		fail(err.Error())
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "localkms: "+msg)
	os.Exit(2)
}
