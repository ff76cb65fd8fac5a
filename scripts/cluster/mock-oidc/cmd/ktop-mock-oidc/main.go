// Command ktop-mock-oidc is an OpenID Connect issuer for tests (mockoidc) whose next
// sign-in a test chooses:
//
//	POST /queue?user=alice&groups=shop-devs,oncall&email=alice@example.com
//
// makes the next sign-in that of user "alice" (the token's subject, which oauth2-proxy
// passes on as X-Forwarded-User). A sign-in with nobody queued is mockoidc's default user.
// It serves plain HTTP on a loopback address and writes its base URL to --url-file once
// it listens.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	clientID := flag.String("client-id", "ktop-web", "the OAuth client ID")
	secretFile := flag.String("client-secret-file", "", "file holding the OAuth client secret")
	urlFile := flag.String("url-file", "", "file to write the base URL to once listening")
	flag.Parse()
	if err := run(*listen, *clientID, *secretFile, *urlFile); err != nil {
		log.Fatal(err)
	}
}

func run(listen, clientID, secretFile, urlFile string) error {
	if secretFile == "" || urlFile == "" {
		return errors.New("--client-secret-file and --url-file are required")
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		return err
	}
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		return err
	}
	m.ClientID = clientID
	m.ClientSecret = strings.TrimSpace(string(secret))

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc(mockoidc.AuthorizationEndpoint, m.Authorize)
	mux.HandleFunc(mockoidc.TokenEndpoint, m.Token)
	mux.HandleFunc(mockoidc.UserinfoEndpoint, m.Userinfo)
	mux.HandleFunc(mockoidc.JWKSEndpoint, m.JWKS)
	mux.HandleFunc(mockoidc.DiscoveryEndpoint, m.Discovery)
	mux.HandleFunc("POST /queue", func(w http.ResponseWriter, r *http.Request) {
		queue(m, w, r)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	// mockoidc derives its issuer URL from Server.Addr; its own Start would serve only
	// the OIDC endpoints, so the server is set up here with /queue next to them.
	m.Server = &http.Server{Addr: ln.Addr().String(), Handler: mux}

	if err := writeAtomic(urlFile, m.Addr()+"\n"); err != nil {
		return err
	}
	log.Printf("issuer %s (client %s)", m.Issuer(), m.ClientID)
	return m.Server.Serve(ln)
}

// queue makes the next sign-in that of the user the query names.
func queue(m *mockoidc.MockOIDC, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user := strings.TrimSpace(q.Get("user"))
	if user == "" {
		http.Error(w, "user is required", http.StatusBadRequest)
		return
	}
	var groups []string
	for _, g := range strings.Split(q.Get("groups"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	email := q.Get("email")
	if email == "" {
		email = user + "@example.com"
	}
	m.QueueUser(&mockoidc.MockUser{
		Subject:           user,
		Email:             email,
		EmailVerified:     true,
		PreferredUsername: user,
		Groups:            groups,
	})
	log.Printf("queued %q (groups %q, email %q)", user, groups, email)
	w.WriteHeader(http.StatusNoContent)
}

// writeAtomic writes through a temporary file, so a reader never sees half a URL.
func writeAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
