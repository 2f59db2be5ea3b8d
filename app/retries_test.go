package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Issue 12 §7: `retries: 0` means no retries (it used to mean the default 4); absent keeps the default.
func TestRetriesZeroMakesOneAttempt(t *testing.T) {
	for _, tt := range []struct {
		name, retries string
		want          int32
	}{
		{"retries 0", "    retries: 0\n", 1},
		{"retries 1", "    retries: 1\n", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Retry-After", "0")
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
			}))
			t.Cleanup(srv.Close)
			env := newEnv(t, "connections:\n  - name: prod\n    admin_url: "+srv.URL+"\n"+tt.retries, nil)
			c, err := env.Config.Connection("prod")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.openGateway(context.Background(), c); err == nil {
				t.Fatal("a gateway answering 503 opened")
			}
			if got := requests.Load(); got != tt.want {
				t.Errorf("%d requests, want %d", got, tt.want)
			}
		})
	}
	if gc := gatewayConnection(&newEnv(t, minimalConfig, nil).Config.Connections[0], nil); gc.Retries != 4 {
		t.Errorf("absent retries: gateway retries %d, want the default 4", gc.Retries)
	}
}

const minimalConfig = "connections:\n  - name: prod\n    admin_url: http://127.0.0.1:1\n"
