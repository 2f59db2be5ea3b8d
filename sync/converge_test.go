package sync

import (
	"testing"

	"github.com/kong/go-kong/kong"

	"github.com/kongsnap/kongsnap/diff"
)

func TestKeptOnlyDropsTheIDOfAdoptedEntities(t *testing.T) {
	live := &kong.Consumer{ID: kong.String("live-id"), Username: kong.String("alice")}
	want := &kong.Consumer{ID: kong.String("target-id"), Username: kong.String("alice")}
	other := &kong.Consumer{ID: kong.String("other-id"), Username: kong.String("bob")}
	left := diff.Changes{
		{Kind: "consumers", Action: diff.Changed, Current: live, Target: want, Identity: `consumer "alice"`,
			Fields: []diff.FieldChange{{Path: "id", Kind: diff.Changed, From: "live-id", To: "target-id"}}},
		{Kind: "consumers", Action: diff.Changed, Current: other, Target: other, Identity: `consumer "bob"`,
			Fields: []diff.FieldChange{{Path: "id", Kind: diff.Changed}}},
	}
	applied := &Result{Applied: []Outcome{{AdoptedID: "live-id"}}}
	rest, kept := kept(left, applied, nil)
	if len(rest) != 1 || rest[0].Identity != `consumer "bob"` {
		t.Errorf("left = %+v", rest)
	}
	if len(kept) != 1 || kept[0].Identity != `consumer "alice"` {
		t.Errorf("kept = %+v", kept)
	}
}
