package sync

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kong/go-kong/kong"
	"github.com/kongsnap/kongsnap/diff"
	"github.com/kongsnap/kongsnap/snapshot"
)

// missing returns the kinds of the kinds table a stage left out: those for which has is false.
func missing(has func(snapshot.Kind) bool) []snapshot.Kind {
	var out []snapshot.Kind
	for _, kind := range snapshot.Kinds {
		if !has(kind) {
			out = append(out, kind)
		}
	}
	return out
}

func holds(s *snapshot.Snapshot) func(snapshot.Kind) bool {
	return func(kind snapshot.Kind) bool { return len(s.Entities(kind)) > 0 }
}

// TestEveryKindEveryStage walks the kinds table through every stage of kongsnap: each kind is restored from a
// decK file into an empty gateway (planned and applied), read back from it (gateway), written to decK files and
// read back (snapshot), compared with a changed copy (diff), and the change planned and applied until the gateway
// verifies clean (sync). A kind added to the table but left out of any stage, or of the rich fixture, fails it.
func TestEveryKindEveryStage(t *testing.T) {
	target := richTarget(t)
	if left := missing(holds(target)); len(left) > 0 {
		t.Fatalf("testdata/rich/kong.yaml holds no %v: give every kind of the table an entity there", left)
	}
	s := newSim(t, nil)

	plan, _ := s.restore(t, target, opts())
	if left := missing(func(k snapshot.Kind) bool { return plan.Counts()[k][Create] > 0 }); len(left) > 0 {
		t.Errorf("restore into an empty gateway creates no %v", left)
	}
	s.verify(t, target, opts())

	live := s.read(t)
	if left := missing(holds(live)); len(left) > 0 {
		t.Errorf("gateway.Read returns no %v", left)
	}

	files, err := snapshot.Write(live, snapshot.WriteOptions{Connection: "test", Secrets: snapshot.SecretsPlain})
	if err != nil {
		t.Fatal(err)
	}
	back, err := snapshot.Read(files, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if left := missing(holds(back)); len(left) > 0 {
		t.Errorf("snapshot.Write then Read loses every %v", left)
	}
	if changes := diff.Compare(live, back, diff.Options{}); !changes.Empty() {
		t.Errorf("written and read back, the snapshot differs: %s\n%s", changes.Summary(), describeChanges(changes))
	}

	m := diff.Match(live, back)
	if left := missing(func(k snapshot.Kind) bool {
		return slices.ContainsFunc(m.Pairs, func(p diff.Pair) bool { return p.Kind == k })
	}); len(left) > 0 {
		t.Errorf("diff.Match pairs no %v", left)
	}

	changed := retagged(t, back)
	changes := diff.Compare(live, changed, diff.Options{})
	if left := missing(func(k snapshot.Kind) bool { return changes.Counts()[k].Changed == 1 }); len(left) > 0 {
		t.Errorf("diff.Compare does not report exactly one changed entity of %v: %s", left, changes.Summary())
	}

	// Restored from the decK file, retagged: the gateway holds only hashes of the basic-auth passwords.
	changed = retagged(t, target)
	update, _ := s.restore(t, changed, opts())
	if left := missing(func(k snapshot.Kind) bool { return update.Counts()[k][Update] == 1 }); len(left) > 0 {
		t.Errorf("sync does not plan exactly one update of %v: %s", left, update.Summary())
	}
	s.verify(t, changed, opts())

	t.Run("a stage leaving a kind out fails", func(t *testing.T) {
		all := map[snapshot.Kind]bool{}
		for _, k := range snapshot.Kinds {
			all[k] = k != snapshot.KindTarget
		}
		if left := missing(holds(live.Only(all))); !slices.Equal(left, []snapshot.Kind{snapshot.KindTarget}) {
			t.Errorf("a read without targets is missing %v, want [targets]", left)
		}
	})
}

// retagged returns a copy of s in which the first entity of every kind carries one more tag.
func retagged(t *testing.T, s *snapshot.Snapshot) *snapshot.Snapshot {
	t.Helper()
	out := &snapshot.Snapshot{}
	for _, kind := range snapshot.Kinds {
		for i, e := range s.Entities(kind) {
			e = clone(e)
			if i == 0 {
				tags := reflect.ValueOf(e).Elem().FieldByName("Tags")
				if !tags.IsValid() {
					t.Fatalf("%s has no tags to change", kind)
				}
				tags.Set(reflect.Append(tags, reflect.ValueOf(kong.String("kinds-test"))))
			}
			if _, err := out.Add(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// TestConsumerReferencedByCustomID pins how every stage references a consumer that has neither id nor username:
// by its custom_id, never to be taken for a username (here two other consumers', one spelled as the custom_id,
// one as "custom_id:" and the custom_id). Its nested credential and plugin
// resolve to it when read, restore under it, and verify clean.
func TestConsumerReferencedByCustomID(t *testing.T) {
	files := snapshot.Files{"kong.yaml": []byte(`_format_version: "3.0"
consumers:
- custom_id: partner-7
  keyauth_credentials:
  - key: partner-key
  plugins:
  - name: rate-limiting
    config:
      minute: 5
- username: partner-7
- username: custom_id:partner-7
`)}
	target, err := snapshot.Read(files, snapshot.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	refs := snapshot.Refs(target.KeyAuths[0])
	if len(refs) != 1 || refs[0].Name != "partner-7" || refs[0].By != "custom_id" || refs[0].ID != "" {
		t.Fatalf("the key-auth credential references %+v, want the consumer by custom_id", refs)
	}
	ix := snapshot.NewIndex(target)
	if got := ix.Resolve(refs[0]); got != target.Consumers[0] {
		t.Fatalf("the reference resolves to %s, want the consumer with the custom_id", snapshot.Describe(got))
	}
	s := newSim(t, nil)
	s.restore(t, target, opts())
	s.verify(t, target, opts())
	live := s.read(t)
	partner := snapshot.NewIndex(live).Resolve(snapshot.Ref{Kind: snapshot.KindConsumer, Name: "partner-7", By: "custom_id"})
	if partner == nil || snapshot.ID(live.KeyAuths[0].Consumer) != snapshot.ID(partner) ||
		snapshot.ID(live.Plugins[0].Consumer) != snapshot.ID(partner) {
		t.Fatalf("restored under the wrong consumer: key-auth %v, plugin %v, partner %v",
			snapshot.ID(live.KeyAuths[0].Consumer), snapshot.ID(live.Plugins[0].Consumer), snapshot.Describe(partner))
	}
}
