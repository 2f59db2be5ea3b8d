package sync

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/snapshot"
)

func TestWritePlanShowsOldAndNewValues(t *testing.T) {
	plan, err := NewPlan(
		&snapshot.Snapshot{Services: []*kong.Service{svc("s1", "a")},
			Consumers: []*kong.Consumer{{ID: kong.String("c1"), Username: kong.String("alice")}},
			KeyAuths:  []*kong.KeyAuth{{ID: kong.String("k1"), Key: kong.String("old-s3cr3t"), Consumer: &kong.Consumer{ID: kong.String("c1")}}}},
		&snapshot.Snapshot{Services: []*kong.Service{{ID: kong.String("s1"), Name: kong.String("a"), Host: kong.String("a.internal"), Port: kong.Int(8080)}},
			Consumers: []*kong.Consumer{{ID: kong.String("c1"), Username: kong.String("alice")}},
			KeyAuths:  []*kong.KeyAuth{{ID: kong.String("k1"), Key: kong.String("new-s3cr3t"), Consumer: &kong.Consumer{ID: kong.String("c1")}}}},
		Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := plan.WritePlan(&b, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `update service "a" (id s1): port `) || !strings.Contains(b.String(), "→ 8080") {
		t.Errorf("plan does not show old → new:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "key changed") || strings.Contains(b.String(), "s3cr3t") {
		t.Errorf("plan shows a secret or not that it changed:\n%s", b.String())
	}
}

func TestWritePlanOfManyOperationsShowsCountsAndTheFirstOfEach(t *testing.T) {
	target := &snapshot.Snapshot{}
	for i := 0; i < 250; i++ {
		target.Consumers = append(target.Consumers, &kong.Consumer{ID: kong.String(fmt.Sprintf("c%03d", i)), Username: kong.String(fmt.Sprintf("user-%03d", i))})
	}
	target.Services = []*kong.Service{svc("s1", "a")}
	plan, err := NewPlan(&snapshot.Snapshot{}, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var short, full strings.Builder
	plan.WritePlan(&short, false)
	plan.WritePlan(&full, true)
	for _, want := range []string{"251 operations", "create 250 consumers", "create 1 service", `create consumer "user-004"`, "… and 245 more", "--full-plan"} {
		if !strings.Contains(short.String(), want) {
			t.Errorf("long plan lacks %q:\n%s", want, short.String())
		}
	}
	if strings.Contains(short.String(), `"user-005"`) {
		t.Error("long plan lists more than the first of each")
	}
	if !strings.Contains(full.String(), `create consumer "user-249"`) || strings.Count(full.String(), "\n") != 252 {
		t.Errorf("--full-plan does not list every operation (%d lines)", strings.Count(full.String(), "\n"))
	}
}
