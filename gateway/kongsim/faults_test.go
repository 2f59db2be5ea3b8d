package kongsim_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		fault   kongsim.Fault
		calls   int
		want    []int // status per call; 0 = connection dropped
		retryIn string
	}{
		{name: "nth", fault: kongsim.Fault{Method: "GET", PathPrefix: "/services", Nth: 2, Status: 500}, calls: 3, want: []int{200, 500, 200}},
		{name: "count", fault: kongsim.Fault{PathPrefix: "/services", Count: 2, Status: 503}, calls: 3, want: []int{503, 503, 200}},
		{name: "every", fault: kongsim.Fault{PathRegexp: regexp.MustCompile(`^/services$`), Status: 502}, calls: 2, want: []int{502, 502}},
		{name: "rate limited", fault: kongsim.Fault{Nth: 1, Status: 429, RetryAfter: 2 * time.Second}, calls: 2, want: []int{429, 200}, retryIn: "2"},
		{name: "other method untouched", fault: kongsim.Fault{Method: "POST", Status: 500}, calls: 1, want: []int{200}},
		{name: "dropped", fault: kongsim.Fault{Nth: 1, DropConnection: true}, calls: 2, want: []int{0, 200}},
		{name: "latency only", fault: kongsim.Fault{Latency: 20 * time.Millisecond}, calls: 1, want: []int{200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.sim.AddFault(tt.fault)
			for i := 0; i < tt.calls; i++ {
				start := time.Now()
				resp, err := http.Get(h.url + "/services")
				status := 0
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				if err == nil {
					status = resp.StatusCode
					if tt.retryIn != "" && status == 429 && resp.Header.Get("Retry-After") != tt.retryIn {
						t.Errorf("Retry-After = %q, want %q", resp.Header.Get("Retry-After"), tt.retryIn)
					}
					if resp.Header.Get("Server") != "kong/3.9.1" {
						t.Errorf("fault response lacks the Server header")
					}
				}
				if status != tt.want[i] {
					t.Errorf("call %d: status %d (err %v), want %d", i+1, status, err, tt.want[i])
				}
				if tt.fault.Latency > 0 && time.Since(start) < tt.fault.Latency {
					t.Errorf("call %d returned before the injected latency", i+1)
				}
			}
			h.sim.RemoveFault(id)
			h.must(http.StatusOK, http.MethodGet, "/services", nil)
		})
	}
}

func TestFaultsSeenByGoKong(t *testing.T) {
	h := newHarness(t)
	h.sim.AddFault(kongsim.Fault{Method: "GET", PathPrefix: "/consumers", Nth: 1, DropConnection: true})
	if _, err := h.client.Consumers.ListAll(ctx(t)); err == nil {
		t.Fatal("ListAll through a dropped connection succeeded")
	}
	// The dropped request is in the log by the time the client sees the cut: a client that asks again at once
	// (a retry) must not find its second request logged before the first.
	if reqs := h.sim.Requests(); len(reqs) != 1 || reqs[0].Status != 0 {
		t.Fatalf("request log right after the dropped request = %+v; want it alone, with status 0", reqs)
	}
	if _, err := h.client.Consumers.ListAll(ctx(t)); err != nil {
		t.Fatalf("ListAll after the fault: %v", err)
	}
	reqs := h.sim.Requests()
	if len(reqs) != 2 || reqs[0].Status != 0 || reqs[1].Status != 200 || reqs[1].Query != "size=1000" {
		t.Errorf("request log = %+v", reqs)
	}
	h.sim.ResetRequests()
	if n := len(h.sim.Requests()); n != 0 {
		t.Errorf("%d requests after reset", n)
	}
}

func TestParseFault(t *testing.T) {
	tests := []struct {
		name    string
		spec    string
		want    kongsim.Fault
		wantErr bool
	}{
		{name: "full", spec: "method=get,prefix=/consumers,nth=2,status=503,retry-after=1s,latency=5ms",
			want: kongsim.Fault{Method: "GET", PathPrefix: "/consumers", Nth: 2, Status: 503, RetryAfter: time.Second, Latency: 5 * time.Millisecond}},
		{name: "drop", spec: "count=1,drop", want: kongsim.Fault{Count: 1, DropConnection: true}},
		{name: "unknown key", spec: "status=500,colour=red", wantErr: true},
		{name: "no effect", spec: "method=GET", wantErr: true},
		{name: "bad regexp", spec: "regexp=(,status=500", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kongsim.ParseFault(tt.spec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFault(%q) error = %v, wantErr %v", tt.spec, err, tt.wantErr)
			}
			if !tt.wantErr && fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ParseFault(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestConcurrentClients(t *testing.T) {
	h := newHarness(t)
	c := ctx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for w := 0; w < 20; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				name := fmt.Sprintf("svc-%02d-%02d", w, i)
				if _, err := h.client.Services.Create(c, &kong.Service{Name: kong.String(name), Host: kong.String("a.test")}); err != nil {
					errs <- fmt.Errorf("creating %s: %w", name, err)
					return
				}
				svc, err := h.client.Services.Get(c, kong.String(name))
				if err != nil {
					errs <- fmt.Errorf("reading %s: %w", name, err)
					return
				}
				if _, err := h.client.Routes.CreateInService(c, svc.ID, &kong.Route{Paths: kong.StringSlice("/" + name)}); err != nil {
					errs <- fmt.Errorf("creating route of %s: %w", name, err)
					return
				}
				if i%5 == 0 {
					if _, err := h.client.Services.ListAll(c); err != nil {
						errs <- fmt.Errorf("listing: %w", err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	services, err := h.client.Services.ListAll(c)
	if err != nil || len(services) != 500 {
		t.Fatalf("ListAll = %d services, %v; want 500", len(services), err)
	}
}

func BenchmarkListConsumers100k(b *testing.B) {
	h := newHarness(b)
	c := ctx(b)
	for i := 0; i < 100_000; i++ {
		h.must(http.StatusCreated, http.MethodPost, "/consumers", map[string]any{"username": fmt.Sprintf("user-%06d", i)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		consumers, err := h.client.Consumers.ListAll(c)
		if err != nil || len(consumers) != 100_000 {
			b.Fatalf("ListAll = %d, %v", len(consumers), err)
		}
	}
}
