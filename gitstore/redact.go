package gitstore

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// userinfoInURL matches the scheme and userinfo of URLs inside free text.
var userinfoInURL = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@`)

// RedactURL returns rawURL with any user name and password replaced by "***", for printing. Tokens often sit in
// the user name position (https://TOKEN@host/...), so both are hidden.
func RedactURL(rawURL string) string {
	return userinfoInURL.ReplaceAllString(rawURL, "${1}***@")
}

// redactor removes credentials from error text: userinfo in URLs, and every secret string that Options carried
// (URL passwords and the passwords or tokens of Auth values), wherever a lower layer may have echoed it.
type redactor struct {
	secrets []string
}

func newRedactor(opts Options) redactor {
	var r redactor
	r.addURL(opts.URL)
	r.addAuth(opts.Auth)
	for _, rem := range opts.Remotes {
		r.addURL(rem.URL)
		r.addAuth(rem.Auth)
	}
	return r
}

func (r *redactor) add(secret string) {
	if secret != "" {
		r.secrets = append(r.secrets, secret)
	}
}

func (r *redactor) addURL(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return
	}
	password, hasPassword := u.User.Password()
	switch {
	case hasPassword:
		r.add(password)
	case u.Scheme == "http" || u.Scheme == "https":
		r.add(u.User.Username()) // a token given as https://TOKEN@host/...
	}
}

func (r *redactor) addAuth(auth any) {
	switch a := auth.(type) {
	case *githttp.BasicAuth:
		r.add(a.Password)
	case *githttp.TokenAuth:
		r.add(a.Token)
	case *gitssh.Password:
		r.add(a.Password)
	}
}

func (r redactor) text(s string) string {
	s = RedactURL(s)
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

// error returns err with credentials removed from its message; errors.Is and errors.As still see err.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := r.text(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

func (r redactor) errorf(format string, args ...any) error {
	return r.error(fmt.Errorf(format, args...))
}

// redactedError carries a cleaned message over the original error, so sentinels stay detectable.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
