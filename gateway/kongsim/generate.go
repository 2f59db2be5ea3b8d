package kongsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
)

// GeneratedID returns the fixed UUID Generate gives entity number n of a kind's prefix, so generated entities
// have known ids.
func GeneratedID(prefix, n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", prefix, n)
}

// Generate fills h (a kongsim Server, or anything serving its Admin API) with about n entities in the mix a
// large gateway has, writing straight into the handler rather than over the network: per 100 entities, 10
// services with two routes each, 10 consumers with a key-auth credential and an ACL group each, 30 plugins (one
// per service, one on each of 10 routes, one per consumer), and an upstream with 9 targets. It returns how many
// entities it wrote. Ids are GeneratedID(10..19, i), so two runs give identical gateways.
func Generate(h http.Handler, n int) (int, error) {
	written := 0
	do := func(method, path string, body map[string]any) error {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			return fmt.Errorf("generating %s %s: %d %s", method, path, rec.Code, rec.Body.String())
		}
		written++
		return nil
	}
	put := func(path string, body map[string]any) error { return do(http.MethodPut, path, body) }
	id := GeneratedID
	unit := n / 100 // one unit of the mix is 100 entities
	for i := range unit * 10 {
		if err := put("/services/"+id(10, i), map[string]any{"name": fmt.Sprintf("svc-%07d", i),
			"host": "backend.internal"}); err != nil {
			return written, err
		}
		for r := range 2 {
			route := i*2 + r
			if err := put("/routes/"+id(11, route), map[string]any{
				"name": fmt.Sprintf("route-%07d", route), "paths": []string{fmt.Sprintf("/p/%d", route)},
				"service": map[string]any{"id": id(10, i)},
			}); err != nil {
				return written, err
			}
		}
	}
	for i := range unit * 10 {
		consumer := "/consumers/" + id(12, i)
		if err := put(consumer, map[string]any{"username": fmt.Sprintf("user-%07d", i)}); err != nil {
			return written, err
		}
		if err := put(consumer+"/key-auth/"+id(13, i), map[string]any{"key": fmt.Sprintf("key-%07d", i)}); err != nil {
			return written, err
		}
		if err := put(consumer+"/acls/"+id(19, i), map[string]any{"group": fmt.Sprintf("group-%d", i%20)}); err != nil {
			return written, err
		}
	}
	for i := range unit * 10 {
		if err := put("/plugins/"+id(14, i), map[string]any{"name": "rate-limiting",
			"config": map[string]any{"minute": 10}, "service": map[string]any{"id": id(10, i)}}); err != nil {
			return written, err
		}
		if err := put("/plugins/"+id(15, i), map[string]any{"name": "correlation-id",
			"route": map[string]any{"id": id(11, i)}}); err != nil {
			return written, err
		}
		if err := put("/plugins/"+id(16, i), map[string]any{"name": "request-termination",
			"consumer": map[string]any{"id": id(12, i)}}); err != nil {
			return written, err
		}
	}
	for i := range unit {
		upstream := "/upstreams/" + id(17, i)
		if err := put(upstream, map[string]any{"name": fmt.Sprintf("up-%07d.internal", i)}); err != nil {
			return written, err
		}
		for t := range 9 {
			if err := do(http.MethodPost, upstream+"/targets", map[string]any{
				"id": id(18, i*9+t), "target": fmt.Sprintf("10.%d.%d.%d:80", i/250%250, i%250, t),
			}); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}
