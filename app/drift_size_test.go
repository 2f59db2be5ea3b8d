package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kongsnap/kongsnap/githubpr"
	"github.com/kongsnap/kongsnap/report"
)

// The reproduction: 1,200 added consumers made a 65,805-character body and ~9,500 changes 617,376; GitHub
// refuses anything over 65,536 characters, so no pull request opened. At 10,000 changes one opens, within the
// limit, listing what fits and counting the rest.
func TestDriftOfTenThousandChangesOpensAPullRequest(t *testing.T) {
	f := newDriftFixture(t)
	for i := 0; i < 10_000; i++ {
		req := httptest.NewRequest(http.MethodPost, "/consumers", strings.NewReader(fmt.Sprintf(`{"username":"bulk-%05d"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.gw.sim.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("adding consumer %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	r := f.run(t)
	if r.Status != report.Completed || !r.Drift || r.PullRequest == "" {
		t.Fatalf("drift of 10,000 consumers: %+v", r)
	}
	open := f.openPRs()
	if len(open) != 1 {
		t.Fatalf("%d open pull requests, want 1", len(open))
	}
	body := open[0].Body
	if n := utf8.RuneCountInString(body); n > githubpr.MaxBodyChars {
		t.Errorf("body is %d characters", n)
	}
	for _, want := range []string{"| consumers | 10000 | 0 | 0 |", "more consumers added on the gateway", "kongsnap/drift/prod"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
}
