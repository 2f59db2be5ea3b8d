// Command kongsim serves an in-memory Kong Gateway 3.9 Admin API for demos, manual testing and fault drills.
//
//	kongsim --listen 127.0.0.1:8001 [--version 3.9.1] [--seed FILE] [--generate N] [--fault SPEC]... [--log-writes]
//	        [--cpuprofile FILE]
//
// On SIGUSR1 it runs a garbage collection and logs msg=collected (not on Windows), for benchmarks that measure
// commands against it; see collect_unix.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/kongsnap/kongsnap/app"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/internal/pacing"
	"github.com/kongsnap/kongsnap/snapshot"
)

// heapFloor is the heap kongsim lets grow before its first collection (see package pacing): a gateway of tens of
// thousands of entities and the garbage of the requests that wrote it. One of hundreds of thousands is paced as
// the runtime paces it.
const heapFloor = 256 << 20

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pacing.Start(os.Getenv, heapFloor)
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // --help printed the usage
		}
		slog.Error("kongsim failed", "err", err)
		os.Exit(1)
	}
}

// faultList collects repeated --fault flags.
type faultList []kongsim.Fault

func (f *faultList) String() string { return fmt.Sprintf("%d faults", len(*f)) }

func (f *faultList) Set(spec string) error {
	fault, err := kongsim.ParseFault(spec)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

// run parses flags, serves until ctx is cancelled, then shuts down gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kongsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kongsim [--listen ADDR] [--version VERSION] [--seed FILE] [--generate N] [--fault SPEC]... [--log-writes] [--cpuprofile FILE]\n\n"+
			"Serves an in-memory Kong Gateway 3.9 OSS Admin API (PostgreSQL mode) until interrupted.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nSIGUSR1 runs a garbage collection and logs msg=collected (benchmarks send it between the commands they time).\n")
	}
	listen := fs.String("listen", "127.0.0.1:8001", "address to serve the Admin API on")
	version := fs.String("version", "3.9.1", "Kong version to report")
	seedFile := fs.String("seed", "", "decK YAML file to load through the Admin API at start")
	generate := fs.Int("generate", 0, "generate a large gateway of about N entities at start (benchmarks; see kongsim.Generate)")
	var faults faultList
	fs.Var(&faults, "fault", "inject a fault, e.g. method=GET,prefix=/consumers,nth=2,status=503 (repeatable)")
	logWrites := fs.Bool("log-writes", false, "log every request but GET, HEAD and OPTIONS (msg=write), so a harness can check that a read-only command wrote nothing")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the requests served (from the first request to shutdown on SIGINT or SIGTERM) to FILE, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	sim := kongsim.New(kongsim.Options{Version: *version})
	// A generated gateway is complete before the first request is served: a client that connects early (a
	// benchmark started on "listening") waits in the listen queue instead of reading half of it.
	generated := 0
	if *generate > 0 {
		var err error
		if generated, err = kongsim.Generate(sim, *generate); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *listen, err)
	}
	if *cpuProfile != "" {
		stop, err := profileCPU(*cpuProfile)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stop()
	}
	var handler http.Handler = sim
	if *logWrites {
		handler = writeLogger(sim, logger)
	}
	defer collectOnSignal(logger)()
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	adminURL := "http://" + ln.Addr().String()
	logger.Info("kongsim listening", "url", adminURL, "version", *version)

	if *seedFile != "" {
		if err := seed(ctx, adminURL, *seedFile); err != nil {
			_ = srv.Close()
			return fmt.Errorf("seeding %s from %s: %w", adminURL, *seedFile, err)
		}
		logger.Info("seeded", "file", *seedFile)
	}
	if *generate > 0 {
		logger.Info("generated", "entities", generated)
	}
	for _, f := range faults {
		sim.AddFault(f)
	}
	if len(faults) > 0 {
		logger.Info("injecting faults", "count", len(faults))
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving %s: %w", adminURL, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down %s: %w", adminURL, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving %s: %w", adminURL, err)
	}
	return nil
}

// profileCPU starts a CPU profile written to path; the returned function ends it. It starts after --generate so
// the profile shows the cost of serving requests, not of building the gateway.
func profileCPU(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting CPU profile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeLogger logs each request that may change the gateway (any method but GET, HEAD and OPTIONS) before
// serving it.
func writeLogger(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			logger.Info("write", "method", r.Method, "path", r.URL.Path)
		}
		next.ServeHTTP(w, r)
	})
}

// seed loads a decK file or directory into the Admin API at adminURL through kongsnap's own restore engine, so a
// seeded kongsim holds exactly what a restore of that file would give Kong. KONGSNAP_KEY, when set, decrypts
// kongsnap's encrypted secrets.
func seed(ctx context.Context, adminURL, file string) error {
	var keys *snapshot.Keyring
	if os.Getenv("KONGSNAP_KEY") != "" {
		var err error
		if keys, err = snapshot.KeyringFromEnv("KONGSNAP_KEY"); err != nil {
			return err
		}
	}
	_, err := app.Seed(ctx, adminURL, file, keys, nil)
	return err
}
