package kongsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

func TestGenerateWritesTheMix(t *testing.T) {
	sim := kongsim.New(kongsim.Options{})
	written, err := kongsim.Generate(sim, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if written != 1000 {
		t.Fatalf("Generate wrote %d entities, want 1000", written)
	}
	for path, want := range map[string]int{"/services": 100, "/routes": 200, "/consumers": 100, "/key-auths": 100,
		"/acls": 100, "/plugins": 300, "/upstreams": 10, "/upstreams/" + kongsim.GeneratedID(17, 3) + "/targets": 9} {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?size=1000", nil))
		var page struct{ Data []json.RawMessage }
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		if len(page.Data) != want {
			t.Errorf("GET %s: %d entities, want %d", path, len(page.Data), want)
		}
	}
}
