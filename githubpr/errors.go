package githubpr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

var (
	// ErrAccess means GitHub refused the token (401 or 403): it is missing, expired, or not allowed to
	// write pull requests and issues in the repository.
	ErrAccess = errors.New("GitHub token lacks access")
	// ErrRateLimited means GitHub's primary or secondary rate limit was hit. The error says when to try again;
	// nothing is retried.
	ErrRateLimited = errors.New("GitHub rate limit exceeded")

	errAlreadyExists = errors.New("pull request already exists")
)

// apiError is a GitHub failure told in kongsnap's words. It unwraps to a sentinel (when there is one) and to
// go-github's own error, so callers can use errors.Is and errors.As on either.
type apiError struct {
	msg   string
	kind  error
	cause error
}

func (e *apiError) Error() string { return e.msg }

func (e *apiError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.cause}
	}
	return []error{e.kind, e.cause}
}

// explain turns go-github's errors into ones that say what happened and what to do. It never mentions the
// token: go-github's errors carry the request URL (which holds no token) but never its headers.
func explain(err error) error {
	var (
		rateErr  *github.RateLimitError
		abuseErr *github.AbuseRateLimitError
		respErr  *github.ErrorResponse
	)
	switch {
	case errors.As(err, &rateErr):
		return &apiError{kind: ErrRateLimited, cause: err, msg: fmt.Sprintf("%v (%s); the limit resets at %s",
			ErrRateLimited, rateErr.Message, formatTime(rateErr.Rate.Reset.Time))}
	case errors.As(err, &abuseErr):
		return &apiError{kind: ErrRateLimited, cause: err, msg: fmt.Sprintf("%v: secondary limit (%s); %s",
			ErrRateLimited, abuseErr.Message, retryHint(afterNow(abuseErr.RetryAfter)))}
	case errors.As(err, &respErr):
		return explainResponse(respErr, err)
	}
	return err
}

func explainResponse(e *github.ErrorResponse, cause error) error {
	status := 0
	var header http.Header
	if e.Response != nil {
		status, header = e.Response.StatusCode, e.Response.Header
	}
	switch status {
	case http.StatusUnauthorized:
		return &apiError{kind: ErrAccess, cause: cause, msg: fmt.Sprintf(
			"%v: GitHub answered 401 %q; check that the token is set, valid and not expired",
			ErrAccess, e.Message)}
	case http.StatusForbidden:
		hint := "give the token permission to write pull requests in the repository"
		if strings.Contains(e.Message, "GitHub Actions is not permitted") {
			hint = "enable \"Allow GitHub Actions to create and approve pull requests\" in the repository's Actions settings"
		}
		return &apiError{kind: ErrAccess, cause: cause, msg: fmt.Sprintf(
			"%v: GitHub answered 403 %q; %s", ErrAccess, e.Message, hint)}
	case http.StatusTooManyRequests:
		// go-github recognises rate limits only on 403; GitHub also answers 429 with the same headers.
		return &apiError{kind: ErrRateLimited, cause: cause, msg: fmt.Sprintf("%v (%s); %s",
			ErrRateLimited, e.Message, retryHint(retryAt(header)))}
	case http.StatusNotFound:
		return &apiError{cause: cause, msg: fmt.Sprintf(
			"GitHub answered 404 %q: check the repository name, the base URL, and that the token can read the repository",
			e.Message)}
	case http.StatusUnprocessableEntity:
		details := validationMessages(e)
		if strings.Contains(details, "already exists") {
			return &apiError{kind: errAlreadyExists, cause: cause, msg: details}
		}
		return &apiError{cause: cause, msg: fmt.Sprintf("GitHub refused the request (422 %s): %s", e.Message, details)}
	}
	return &apiError{cause: cause, msg: fmt.Sprintf("GitHub answered %d %q", status, e.Message)}
}

// validationMessages joins the reasons GitHub gives inside a 422 answer.
func validationMessages(e *github.ErrorResponse) string {
	var parts []string
	for _, d := range e.Errors {
		switch {
		case d.Message != "":
			parts = append(parts, d.Message)
		case d.Field != "":
			parts = append(parts, fmt.Sprintf("%s %s is %s", d.Resource, d.Field, d.Code))
		default:
			parts = append(parts, d.Code)
		}
	}
	if len(parts) == 0 {
		return e.Message
	}
	return strings.Join(parts, "; ")
}

// retryAt reads when GitHub allows the next request: Retry-After in seconds, else X-RateLimit-Reset.
// It returns the zero time when the answer says neither.
func retryAt(h http.Header) time.Time {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		return time.Now().Add(time.Duration(s) * time.Second)
	}
	if epoch, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return time.Unix(epoch, 0)
	}
	return time.Time{}
}

func afterNow(d *time.Duration) time.Time {
	if d == nil {
		return time.Time{}
	}
	return time.Now().Add(*d)
}

func retryHint(at time.Time) string {
	if at.IsZero() {
		return "wait a few minutes before trying again"
	}
	return "try again after " + formatTime(at)
}

func formatTime(t time.Time) string {
	return t.UTC().Round(time.Second).Format(time.RFC3339)
}
