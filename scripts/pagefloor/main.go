// Command pagefloor fetches every page a kongsnap read asks a gateway for, once, and decodes nothing but what it
// needs to know the next request (each page's offset, and the upstreams' ids whose targets it then lists): the
// floor a dump's time is compared with in `make bench-compare`. It uses kongsnap's page size and parallelism.
//
//	go run ./scripts/pagefloor http://127.0.0.1:8001
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/snapshot"
	"golang.org/x/sync/errgroup"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pagefloor ADMIN_URL")
		os.Exit(2)
	}
	start := time.Now()
	pages, bytesRead, err := run(context.Background(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pagefloor:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pagefloor: %d pages, %d bytes in %s\n", pages, bytesRead, time.Since(start).Round(time.Millisecond))
}

func run(ctx context.Context, base string) (pages, size int64, err error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = gateway.DefaultConcurrency
	client := &http.Client{Transport: transport}
	var pageCount, byteCount atomic.Int64
	// list fetches every page of path; keep, when set, sees each page's body.
	list := func(path string, keep func([]byte) error) error {
		offset := ""
		for {
			q := url.Values{"size": {"1000"}}
			if offset != "" {
				q.Set("offset", offset)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+q.Encode(), nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode == http.StatusNotFound {
				return nil // a collection this gateway lacks
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %s", path, resp.Status)
			}
			pageCount.Add(1)
			byteCount.Add(int64(len(body)))
			if keep != nil {
				if err := keep(body); err != nil {
					return err
				}
			}
			if offset = lastOffset(body); offset == "" {
				return nil
			}
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(gateway.DefaultConcurrency)
	for _, kind := range snapshot.Kinds {
		info := kind.Info()
		if info.Path == "" {
			continue
		}
		var keep func([]byte) error
		if kind == snapshot.KindUpstream {
			keep = func(body []byte) error {
				var p struct{ Data []struct{ ID string } }
				if err := json.Unmarshal(body, &p); err != nil {
					return err
				}
				for _, u := range p.Data {
					path := "/upstreams/" + u.ID + "/targets"
					if !g.TryGo(func() error { return list(path, nil) }) {
						if err := list(path, nil); err != nil {
							return err
						}
					}
				}
				return nil
			}
		}
		g.Go(func() error { return list(info.Path, keep) })
	}
	err = g.Wait()
	return pageCount.Load(), byteCount.Load(), err
}

// lastOffset finds a page's "offset" member without decoding the page: Kong writes it after data.
func lastOffset(body []byte) string {
	key := []byte(`"offset":"`)
	i := bytes.LastIndex(body, key)
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}
