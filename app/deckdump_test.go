package app

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/gateway"
	"github.com/kongsnap/kongsnap/gateway/kongsim"
	"github.com/kongsnap/kongsnap/snapshot"
	kongsync "github.com/kongsnap/kongsnap/sync"
)

func emptyGateway(t *testing.T) (*kongsim.Server, *gateway.Client) {
	t.Helper()
	sim := kongsim.New(kongsim.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := gateway.Open(context.Background(), gateway.Connection{Name: "restore-target", AdminURL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return sim, client
}

// richGateway is a kongsim holding testdata/rich/kong.yaml, and what reading it gives.
func richGateway(t *testing.T) (*gateway.Client, *snapshot.Snapshot) {
	t.Helper()
	ctx := context.Background()
	_, gw := emptyGateway(t)
	fixture, err := snapshot.ReadFile("../testdata/rich/kong.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rich, err := snapshot.Read(fixture, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := kongsync.NewPlan(&snapshot.Snapshot{}, rich, kongsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kongsync.Apply(ctx, gw, plan, kongsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	live, err := gw.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return gw, live
}

// restoreInto converges an empty kongsim toward target (basic-auth left out: a dump holds only password hashes)
// and checks the restore verifies clean and a second plan is empty. It returns what the gateway then holds.
func restoreInto(t *testing.T, target *snapshot.Snapshot) *snapshot.Snapshot {
	t.Helper()
	ctx := context.Background()
	sim, client := emptyGateway(t)
	kinds, _ := snapshot.SectionKinds(nil)
	delete(kinds, snapshot.KindBasicAuth)
	opts := kongsync.Options{Sections: kinds}
	plan, err := kongsync.NewPlan(&snapshot.Snapshot{}, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kongsync.Apply(ctx, client, plan, kongsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	left, err := kongsync.Verify(ctx, client, target, opts)
	if err != nil || !left.Empty() {
		for _, c := range left {
			t.Logf("%s %s %+v", c.Action, c.Identity, c.Fields)
		}
		t.Fatalf("verify: %v %s", err, left.Summary())
	}
	live, err := client.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := kongsync.NewPlan(live, target, opts)
	if err != nil || !again.Empty() {
		t.Fatalf("second plan: %v %s", err, again.Summary())
	}
	sim.ResetRequests()
	if _, err := kongsync.Apply(ctx, client, again, kongsync.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("second restore wrote %s %s", r.Method, r.Path)
		}
	}
	return live
}

// Restoring decK's own dump works the same as restoring kongsnap's snapshot of the same gateway.
func TestRestoreFromDeckDumpMatchesOurs(t *testing.T) {
	_, live := richGateway(t)
	ours, err := snapshot.Write(live, snapshot.WriteOptions{Secrets: snapshot.SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	oursRead, err := snapshot.Read(ours, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}

	for _, dump := range []string{"../testdata/rich/deck-dump.yaml", "../testdata/rich/deck-dump-with-id.yaml"} {
		t.Run(dump, func(t *testing.T) {
			files, err := snapshot.ReadFile(dump)
			if err != nil {
				t.Fatal(err)
			}
			deck, err := snapshot.Read(files, snapshot.ReadOptions{})
			if err != nil {
				t.Fatalf("reading decK's dump: %v", err)
			}
			fromDeck, fromOurs := restoreInto(t, deck), restoreInto(t, oursRead)
			kinds, _ := snapshot.SectionKinds(nil)
			delete(kinds, snapshot.KindBasicAuth)
			if changes := diff.Compare(fromOurs.Only(kinds), fromDeck.Only(kinds), diff.Options{}); !changes.Empty() {
				t.Errorf("restoring decK's dump differs from restoring ours: %s", changes.Summary())
				for _, c := range changes {
					t.Logf("%s %s %+v", c.Action, c.Identity, c.Fields)
				}
			}
		})
	}
}
