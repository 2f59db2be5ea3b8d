package kongsim_test

import (
	"net/http"
	"testing"
)

// /routes/{r}/service follows kong/api/endpoints.lua's foreign entity endpoint: PUT upserts the service the
// route points at, or creates one and points the route at it; DELETE is 405 once the service is found.
func TestForeignEntityEndpoint(t *testing.T) {
	h := newHarness(t)
	svc := h.must(http.StatusCreated, http.MethodPost, "/services", map[string]any{"name": "svc", "host": "old.test"})
	svcID := svc["id"].(string)
	h.must(http.StatusCreated, http.MethodPost, "/services/svc/routes", map[string]any{"name": "bound", "paths": []any{"/b"}})
	h.must(http.StatusCreated, http.MethodPost, "/routes", map[string]any{"name": "free", "paths": []any{"/f"}})
	h.must(http.StatusCreated, http.MethodPost, "/routes", map[string]any{"name": "free2", "paths": []any{"/f2"}})

	tests := []struct {
		name       string
		method     string
		path       string
		body       map[string]any
		wantStatus int
		check      func(t *testing.T, body map[string]any)
	}{
		{
			name: "PUT replaces the route's service", method: http.MethodPut, path: "/routes/bound/service",
			body: map[string]any{"host": "new.test"}, wantStatus: http.StatusOK,
			check: func(t *testing.T, body map[string]any) {
				if body["id"] != svcID || body["host"] != "new.test" || body["name"] != nil {
					t.Errorf("service = id %v host %v name %v, want id %s, host new.test, name null (full replace)",
						body["id"], body["host"], body["name"], svcID)
				}
			},
		},
		{
			name: "PUT creates and associates a service", method: http.MethodPut, path: "/routes/free/service",
			body: map[string]any{"name": "made", "host": "made.test"}, wantStatus: http.StatusOK,
			check: func(t *testing.T, body map[string]any) {
				route := h.must(http.StatusOK, http.MethodGet, "/routes/free", nil)
				if ref, _ := route["service"].(map[string]any); ref == nil || ref["id"] != body["id"] {
					t.Errorf("route free points at %v, want the new service %v", route["service"], body["id"])
				}
				h.must(http.StatusOK, http.MethodGet, "/services/made", nil)
			},
		},
		{
			name: "PUT with an invalid service creates nothing", method: http.MethodPut, path: "/routes/free2/service",
			body: map[string]any{"name": "bad"}, wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, body map[string]any) {
				route := h.must(http.StatusOK, http.MethodGet, "/routes/free2", nil)
				if route["service"] != nil {
					t.Errorf("route free2 service = %v, want null", route["service"])
				}
			},
		},
		{name: "PUT under an unknown route", method: http.MethodPut, path: "/routes/nope/service",
			body: map[string]any{"host": "x.test"}, wantStatus: http.StatusNotFound},
		{name: "DELETE is not allowed", method: http.MethodDelete, path: "/routes/bound/service",
			wantStatus: http.StatusMethodNotAllowed},
		{name: "DELETE without a service", method: http.MethodDelete, path: "/routes/free2/service",
			wantStatus: http.StatusNotFound},
		{name: "GET without a service", method: http.MethodGet, path: "/routes/free2/service",
			wantStatus: http.StatusNotFound},
		{name: "PATCH without a service", method: http.MethodPatch, path: "/routes/free2/service",
			body: map[string]any{"host": "x.test"}, wantStatus: http.StatusNotFound},
		{name: "POST is not allowed", method: http.MethodPost, path: "/routes/bound/service",
			body: map[string]any{}, wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != nil {
				body = tt.body
			}
			status, out := h.call(tt.method, tt.path, body)
			if status != tt.wantStatus {
				t.Fatalf("%s %s = %d %v, want %d", tt.method, tt.path, status, out, tt.wantStatus)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}
