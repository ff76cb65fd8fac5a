package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	authv1 "k8s.io/api/authentication/v1"
)

// Tokens minted by the exec plugin look like ktop-exec.<unix-expiry>.<hex
// HMAC-SHA256(secret, "ktop-exec.<unix-expiry>")>; checking the expiry here
// (with the API server's webhook cache effectively off) makes expiry real.
const (
	execTokenPrefix = "ktop-exec"
	execUser        = "ktop-exec-user"
	execGroup       = "ktop:exec-users"
)

func daemon(args []string) error {
	fs := flag.NewFlagSet("daemon", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "webhook listen address")
	cert := fs.String("tls-cert", "", "serving certificate")
	key := fs.String("tls-key", "", "serving key")
	secretFile := fs.String("secret-file", "", "file holding the HMAC secret shared with the exec plugin")
	logFile := fs.String("container-log", "", "CRI-format log file served by kwok for every container")
	prevLogFile := fs.String("previous-container-log", "", "CRI-format log file served for --previous")
	interval := fs.Duration("log-interval", 2*time.Second, "how often a container log line is appended")
	_ = fs.Parse(args)

	secret, err := os.ReadFile(*secretFile)
	if err != nil {
		return err
	}
	secretKey := strings.TrimSpace(string(secret))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *logFile != "" {
		if err := seedLogs(*logFile, *prevLogFile); err != nil {
			return err
		}
		go appendLogs(ctx, *logFile, *interval)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/authenticate", func(w http.ResponseWriter, r *http.Request) {
		var review authv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		status := authv1.TokenReviewStatus{}
		if reason := checkToken(secretKey, review.Spec.Token, time.Now()); reason != "" {
			status.Error = reason
		} else {
			status.Authenticated = true
			status.User = authv1.UserInfo{
				Username: execUser,
				UID:      execUser,
				Groups:   []string{execGroup},
			}
		}
		if len(review.Spec.Audiences) > 0 && status.Authenticated {
			status.Audiences = review.Spec.Audiences
		}
		resp := authv1.TokenReview{
			TypeMeta: review.TypeMeta,
			Status:   status,
		}
		if resp.APIVersion == "" {
			resp.APIVersion = "authentication.k8s.io/v1"
			resp.Kind = "TokenReview"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})

	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServeTLS(*cert, *key) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		return nil
	}
}

// checkToken returns "" when the token is valid now, else why it is not.
func checkToken(secret, token string, now time.Time) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != execTokenPrefix {
		return "not a ktop-exec token"
	}
	expiry, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "bad expiry"
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(parts[2]))) {
		return "bad signature"
	}
	if now.Unix() >= expiry {
		return "token expired"
	}
	return ""
}

var logMessages = []string{
	`level=info msg="handled request" method=GET path=/api/v1/items status=200 duration_ms=%d`,
	`level=info msg="cache refreshed" entries=%d`,
	`level=warn msg="slow upstream response" upstream=inventory duration_ms=%d`,
	`level=info msg="health check ok" latency_ms=%d`,
	`level=error msg="request failed, retrying" attempt=%d err="connection reset by peer"`,
	`level=debug msg="gc pause" pause_us=%d`,
}

func logLine(t time.Time, i int) string {
	stream := "stdout"
	msg := fmt.Sprintf(logMessages[i%len(logMessages)], 3+rand.IntN(400))
	if strings.HasPrefix(msg, "level=error") {
		stream = "stderr"
	}
	return fmt.Sprintf("%s %s F %s\n", t.UTC().Format(time.RFC3339Nano), stream, msg)
}

// seedLogs writes an hour of history so log views have something to page
// through right after start.
func seedLogs(current, previous string) error {
	now := time.Now()
	var b strings.Builder
	for i := range 300 {
		b.WriteString(logLine(now.Add(-time.Hour+time.Duration(i)*12*time.Second), i))
	}
	if err := os.WriteFile(current, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if previous == "" {
		return nil
	}
	b.Reset()
	for i := range 50 {
		b.WriteString(logLine(now.Add(-2*time.Hour+time.Duration(i)*time.Second), i))
	}
	b.WriteString(now.Add(-2*time.Hour + 51*time.Second).UTC().Format(time.RFC3339Nano))
	b.WriteString(" stderr F panic: runtime error: invalid memory address or nil pointer dereference\n")
	return os.WriteFile(previous, []byte(b.String()), 0o644)
}

func appendLogs(ctx context.Context, path string, every time.Duration) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Printf("container log: %v", err)
		return
	}
	defer f.Close()
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if _, err := f.WriteString(logLine(now, i)); err != nil && !errors.Is(err, os.ErrClosed) {
				log.Printf("container log: %v", err)
			}
		}
	}
}
