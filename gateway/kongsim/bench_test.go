package kongsim_test

import (
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gateway/kongsim"
)

// restoreWrite is one kind of entity as a restore writes it: the validate request that precedes every write,
// then the create. Bodies are what kongsnap sends for generated entities (defaults filled, ids given).
type restoreWrite struct {
	name     string
	validate string             // POST path of the kind's validation endpoint
	create   func(i int) string // path of entity i's create: PUT, or POST for a target (Kong's PUT only updates one)
	body     func(i int) string // JSON body of entity i
	parents  func(b *testing.B, sim *kongsim.Server, n int)
}

const (
	benchService  = "0000000a-0000-4000-8000-00000000ffff"
	benchConsumer = "0000000c-0000-4000-8000-00000000ffff"
	benchUpstream = "00000011-0000-4000-8000-00000000ffff"
)

func benchID(prefix, i int) string { return kongsim.GeneratedID(prefix, i) }

var restoreWrites = []restoreWrite{
	{
		name: "service", validate: "/schemas/services/validate",
		create: func(i int) string { return "/services/" + benchID(10, i) },
		body: func(i int) string {
			return fmt.Sprintf(`{"connect_timeout":60000,"enabled":true,"host":"backend.internal","id":%q,"name":"svc-%07d",`+
				`"port":80,"protocol":"http","read_timeout":60000,"retries":5,"write_timeout":60000}`, benchID(10, i), i)
		},
	},
	{
		name: "route", validate: "/schemas/routes/validate",
		create: func(i int) string { return "/routes/" + benchID(11, i) },
		body: func(i int) string {
			return fmt.Sprintf(`{"id":%q,"name":"route-%07d","paths":["/p/%d"],"path_handling":"v0","preserve_host":false,`+
				`"protocols":["http","https"],"regex_priority":0,"service":{"id":%q},"strip_path":true,`+
				`"https_redirect_status_code":426,"request_buffering":true,"response_buffering":true}`,
				benchID(11, i), i, i, benchService)
		},
		parents: func(b *testing.B, sim *kongsim.Server, _ int) {
			benchPut(b, sim, "/services/"+benchService, `{"host":"backend.internal"}`)
		},
	},
	{
		name: "plugin", validate: "/schemas/plugins/validate",
		create: func(i int) string { return "/plugins/" + benchID(14, i) },
		body: func(i int) string {
			return fmt.Sprintf(`{"id":%q,"name":"rate-limiting","service":{"id":%q},"config":{"day":null,"error_code":429,`+
				`"error_message":"API rate limit exceeded","fault_tolerant":true,"header_name":null,"hide_client_headers":false,`+
				`"hour":null,"limit_by":"consumer","minute":10,"month":null,"path":null,"policy":"local","redis":{"database":0,`+
				`"host":null,"password":null,"port":6379,"server_name":null,"ssl":false,"ssl_verify":false,"timeout":2000,`+
				`"username":null},"redis_database":0,"redis_host":null,"redis_password":null,"redis_port":6379,`+
				`"redis_server_name":null,"redis_ssl":false,"redis_ssl_verify":false,"redis_timeout":2000,"redis_username":null,`+
				`"second":null,"sync_rate":-1,"year":null},"enabled":true,"protocols":["grpc","grpcs","http","https"]}`,
				benchID(14, i), benchID(10, i))
		},
		// A plugin's scope is unique per plugin name: each plugin gets a service of its own.
		parents: func(b *testing.B, sim *kongsim.Server, n int) {
			for i := range n {
				benchPut(b, sim, "/services/"+benchID(10, i), `{"host":"backend.internal"}`)
			}
		},
	},
	{
		name: "consumer", validate: "/schemas/consumers/validate",
		create: func(i int) string { return "/consumers/" + benchID(12, i) },
		body:   func(i int) string { return fmt.Sprintf(`{"id":%q,"username":"user-%07d"}`, benchID(12, i), i) },
	},
	{
		name: "key-auth", validate: "/schemas/keyauth_credentials/validate",
		create: func(i int) string { return "/consumers/" + benchConsumer + "/key-auth/" + benchID(13, i) },
		body: func(i int) string {
			return fmt.Sprintf(`{"consumer":{"id":%q},"id":%q,"key":"key-%07d"}`, benchConsumer, benchID(13, i), i)
		},
		parents: func(b *testing.B, sim *kongsim.Server, _ int) {
			benchPut(b, sim, "/consumers/"+benchConsumer, `{"username":"u"}`)
		},
	},
	{
		name: "upstream", validate: "/schemas/upstreams/validate",
		create: func(i int) string { return "/upstreams/" + benchID(17, i) },
		body: func(i int) string {
			return fmt.Sprintf(`{"id":%q,"name":"up-%07d.internal","algorithm":"round-robin","slots":10000,"healthchecks":{"active":`+
				`{"concurrency":10,"healthy":{"http_statuses":[200,302],"interval":0,"successes":0},"http_path":"/",`+
				`"https_verify_certificate":true,"type":"http","timeout":1,"unhealthy":{"http_failures":0,"http_statuses":`+
				`[429,404,500,501,502,503,504,505],"tcp_failures":0,"timeouts":0,"interval":0}},"passive":{"healthy":`+
				`{"http_statuses":[200,201,202,203,204,205,206,207,208,226,300,301,302,303,304,305,306,307,308],"successes":0},`+
				`"type":"http","unhealthy":{"http_failures":0,"http_statuses":[429,500,503],"tcp_failures":0,"timeouts":0}},`+
				`"threshold":0},"hash_on":"none","hash_fallback":"none","hash_on_cookie_path":"/","use_srv_name":false}`,
				benchID(17, i), i)
		},
	},
	{
		name: "target", validate: "/schemas/targets/validate",
		create: func(int) string { return "/upstreams/" + benchUpstream + "/targets" },
		body: func(i int) string {
			return fmt.Sprintf(`{"id":%q,"target":"10.%d.%d.%d:80","upstream":{"id":%q},"weight":100}`,
				benchID(18, i), i>>16&255, i>>8&255, i&255, benchUpstream)
		},
		parents: func(b *testing.B, sim *kongsim.Server, _ int) {
			benchPut(b, sim, "/upstreams/"+benchUpstream, `{"name":"up"}`)
		},
	},
}

// discardWriter is the least a ResponseWriter can be, so a benchmark measures kongsim and not a recorder.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

func serveBench(b *testing.B, sim *kongsim.Server, w *discardWriter, method, path, body string) {
	req, err := http.NewRequest(method, "http://kongsim"+path, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	clear(w.header)
	w.status = http.StatusOK
	sim.ServeHTTP(w, req)
	if w.status >= 300 {
		b.Fatalf("%s %s: %d", method, path, w.status)
	}
}

// cpuClock reports the process's CPU time per operation (user and system, garbage collection included) next to
// ns/op, which on a shared machine measures the neighbours too.
type cpuClock struct {
	b     *testing.B
	start time.Duration
}

func startCPU(b *testing.B) cpuClock { return cpuClock{b: b, start: processCPU(b)} }

func (c cpuClock) report() {
	c.b.ReportMetric(float64(processCPU(c.b)-c.start)/float64(c.b.N), "cpu-ns/op")
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchPut(b *testing.B, sim *kongsim.Server, path, body string) {
	serveBench(b, sim, &discardWriter{header: http.Header{}}, http.MethodPut, path, body)
}

// BenchmarkRestoreValidate is the handler's cost per POST /schemas/{entity}/validate, the request a restore
// sends for every entity before its first write.
func BenchmarkRestoreValidate(b *testing.B) {
	for _, rw := range restoreWrites {
		b.Run(rw.name, func(b *testing.B) {
			sim := kongsim.New(kongsim.Options{})
			bodies := make([]string, 1000)
			for i := range bodies {
				bodies[i] = rw.body(i)
			}
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU(b)
			for i := range b.N {
				serveBench(b, sim, w, http.MethodPost, rw.validate, bodies[i%len(bodies)])
			}
			cpu.report()
		})
	}
}

func createMethod(path string) string {
	if strings.HasSuffix(path, "/targets") {
		return http.MethodPost
	}
	return http.MethodPut
}

// BenchmarkRestoreCreate is the handler's cost per create (PUT /{collection}/{id}, a target's POST) into a gateway growing by
// one entity per request, as in a restore into an empty gateway.
func BenchmarkRestoreCreate(b *testing.B) {
	for _, rw := range restoreWrites {
		b.Run(rw.name, func(b *testing.B) {
			sim := kongsim.New(kongsim.Options{})
			if rw.parents != nil {
				rw.parents(b, sim, b.N)
			}
			paths, bodies := make([]string, b.N), make([]string, b.N)
			for i := range b.N {
				paths[i], bodies[i] = rw.create(i), rw.body(i)
			}
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU(b)
			for i := range b.N {
				serveBench(b, sim, w, createMethod(paths[i]), paths[i], bodies[i])
			}
			cpu.report()
		})
	}
}
