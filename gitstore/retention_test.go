package gitstore_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kongsnap/kongsnap/gitstore"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func tagAt(name, when string) gitstore.TagInfo {
	return gitstore.TagInfo{Name: name, Hash: "hash-" + name, Time: at(when)}
}

func names(tags []gitstore.TagInfo) []string {
	out := []string{}
	for _, t := range tags {
		out = append(out, t.Name)
	}
	return out
}

func TestRetainSmallCases(t *testing.T) {
	onlyDays := func(n int) gitstore.Policy { return gitstore.Policy{Days: n, Weeks: -1, Months: -1} }
	tests := []struct {
		name     string
		tags     []gitstore.TagInfo
		policy   gitstore.Policy
		now      string
		protect  []string
		wantKeep []string
		wantDrop []string
	}{
		{
			name: "newest of each day",
			tags: []gitstore.TagInfo{
				tagAt("today-10", "2026-11-18T10:00:00Z"), tagAt("today-12", "2026-11-18T12:00:00Z"),
				tagAt("yesterday-23", "2026-11-17T23:00:00Z"), tagAt("yesterday-01", "2026-11-17T01:00:00Z"),
				tagAt("two-days-ago", "2026-11-16T12:00:00Z"),
			},
			policy:   onlyDays(2),
			now:      "2026-11-18T14:30:00Z",
			wantKeep: []string{"today-12", "yesterday-23"},
			wantDrop: []string{"today-10", "yesterday-01", "two-days-ago"},
		},
		{
			name: "days are UTC days whatever the offset",
			tags: []gitstore.TagInfo{
				tagAt("utc-nov18-0430", "2026-11-17T23:30:00-05:00"), tagAt("utc-nov18-0200", "2026-11-18T02:00:00Z"),
			},
			policy:   onlyDays(1),
			now:      "2026-11-18T12:00:00Z",
			wantKeep: []string{"utc-nov18-0430"},
			wantDrop: []string{"utc-nov18-0200"},
		},
		{
			name: "ISO weeks start on Monday",
			tags: []gitstore.TagInfo{
				tagAt("mon-16", "2026-11-16T09:00:00Z"), tagAt("sun-15", "2026-11-15T09:00:00Z"),
				tagAt("sat-14", "2026-11-14T09:00:00Z"), tagAt("sun-08", "2026-11-08T09:00:00Z"),
			},
			policy:   gitstore.Policy{Days: -1, Weeks: 2, Months: -1},
			now:      "2026-11-16T12:00:00Z",
			wantKeep: []string{"mon-16", "sun-15"},
			wantDrop: []string{"sat-14", "sun-08"},
		},
		{
			name: "months keep their last snapshot",
			tags: []gitstore.TagInfo{
				tagAt("nov-02", "2026-11-02T09:00:00Z"), tagAt("oct-31", "2026-10-31T23:59:00Z"),
				tagAt("oct-01", "2026-10-01T09:00:00Z"), tagAt("sep-30", "2026-09-30T09:00:00Z"),
			},
			policy:   gitstore.Policy{Days: -1, Weeks: -1, Months: 2},
			now:      "2026-11-18T12:00:00Z",
			wantKeep: []string{"nov-02", "oct-31"},
			wantDrop: []string{"oct-01", "sep-30"},
		},
		{
			name: "protected commit and future snapshots are kept",
			tags: []gitstore.TagInfo{
				tagAt("future", "2026-11-19T00:00:00Z"), tagAt("today", "2026-11-18T09:00:00Z"),
				tagAt("head", "2025-01-01T00:00:00Z"), tagAt("old", "2025-01-02T00:00:00Z"),
			},
			policy:   onlyDays(1),
			now:      "2026-11-18T12:00:00Z",
			protect:  []string{"hash-head"},
			wantKeep: []string{"future", "today", "head"},
			wantDrop: []string{"old"},
		},
		{
			name: "every period disabled keeps only the protected",
			tags: []gitstore.TagInfo{
				tagAt("today", "2026-11-18T09:00:00Z"), tagAt("head", "2026-11-17T09:00:00Z"),
			},
			policy:   gitstore.Policy{Days: -1, Weeks: -1, Months: -1},
			now:      "2026-11-18T12:00:00Z",
			protect:  []string{"hash-head"},
			wantKeep: []string{"head"},
			wantDrop: []string{"today"},
		},
		{
			name: "equal times: the greater name wins",
			tags: []gitstore.TagInfo{
				tagAt("kongsnap/prod/a", "2026-11-18T09:00:00Z"), tagAt("kongsnap/prod/b", "2026-11-18T09:00:00Z"),
			},
			policy:   onlyDays(1),
			now:      "2026-11-18T12:00:00Z",
			wantKeep: []string{"kongsnap/prod/b"},
			wantDrop: []string{"kongsnap/prod/a"},
		},
		{
			name:     "nothing to do",
			now:      "2026-11-18T12:00:00Z",
			wantKeep: []string{},
			wantDrop: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep, drop := gitstore.Retain(tt.tags, tt.policy, at(tt.now), tt.protect...)
			if got := names(keep); !reflect.DeepEqual(got, tt.wantKeep) {
				t.Errorf("keep = %v, want %v", got, tt.wantKeep)
			}
			if got := names(drop); !reflect.DeepEqual(got, tt.wantDrop) {
				t.Errorf("drop = %v, want %v", got, tt.wantDrop)
			}
		})
	}
}

// dailyHistory returns one snapshot a day at 03:00 UTC for n days ending on now's day, oldest first.
func dailyHistory(now time.Time, n int) []gitstore.TagInfo {
	var tags []gitstore.TagInfo
	y, m, d := now.Date()
	for i := n - 1; i >= 0; i-- {
		when := time.Date(y, m, d-i, 3, 0, 0, 0, time.UTC)
		name := "kongsnap/prod/" + when.Format("2006-01-02T1504Z")
		tags = append(tags, gitstore.TagInfo{Name: name, Hash: "h" + name, Time: when})
	}
	return tags
}

func TestRetain400DailySnapshots(t *testing.T) {
	now := at("2026-11-18T14:30:00Z") // a Wednesday
	history := dailyHistory(now, 400)

	// Worked out by hand: the 30 days Oct 20 – Nov 18 are kept by the daily rule; the weekly rule (ISO weeks
	// from Mon Aug 31) adds the Sundays before Oct 20; the monthly rule (Dec 2025 – Nov 2026) adds the month ends
	// before Sep 6 and Sep 30.
	var want []string
	for d := 18; d >= 1; d-- {
		want = append(want, fmt.Sprintf("2026-11-%02d", d))
	}
	for d := 31; d >= 20; d-- {
		want = append(want, fmt.Sprintf("2026-10-%02d", d))
	}
	want = append(want, "2026-10-18", "2026-10-11", "2026-10-04", "2026-09-30", "2026-09-27", "2026-09-20",
		"2026-09-13", "2026-09-06", "2026-08-31", "2026-07-31", "2026-06-30", "2026-05-31", "2026-04-30",
		"2026-03-31", "2026-02-28", "2026-01-31", "2025-12-31")
	for i := range want {
		want[i] = "kongsnap/prod/" + want[i] + "T0300Z"
	}

	for _, policy := range []gitstore.Policy{{}, {Days: 30, Weeks: 12, Months: 12}} {
		keep, drop := gitstore.Retain(history, policy, now)
		if got := names(keep); !reflect.DeepEqual(got, want) {
			t.Errorf("policy %+v keeps %d:\n%v\nwant %d:\n%v", policy, len(got), got, len(want), want)
		}
		if len(keep) != 47 || len(drop) != 400-47 {
			t.Errorf("policy %+v: keep %d drop %d, want 47 and 353", policy, len(keep), len(drop))
		}
	}
}

// referenceRetain computes the GFS set independently of Retain: it lists the calendar keys of each window by
// stepping back from now (time.ISOWeek for weeks) and keeps the newest snapshot carrying each key.
func referenceRetain(tags []gitstore.TagInfo, p gitstore.Policy, now time.Time) map[string]bool {
	keep := map[string]bool{}
	pick := func(windows map[string]bool, key func(time.Time) string) {
		best := map[string]gitstore.TagInfo{}
		for _, t := range tags {
			k := key(t.Time)
			if !windows[k] {
				continue
			}
			if b, ok := best[k]; !ok || t.Time.After(b.Time) {
				best[k] = t
			}
		}
		for _, t := range best {
			keep[t.Name] = true
		}
	}
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	week := func(t time.Time) string { y, w := t.UTC().ISOWeek(); return fmt.Sprint(y, "-W", w) }
	month := func(t time.Time) string { return t.UTC().Format("2006-01") }
	days, weeks, months := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range p.Days {
		days[day(now.AddDate(0, 0, -i))] = true
	}
	for i := range p.Weeks {
		weeks[week(now.AddDate(0, 0, -7*i))] = true
	}
	y, m, _ := now.Date()
	for i := range p.Months {
		months[month(time.Date(y, m-time.Month(i), 1, 0, 0, 0, 0, time.UTC))] = true
	}
	pick(days, day)
	pick(weeks, week)
	pick(months, month)
	return keep
}

func TestRetainMatchesReference(t *testing.T) {
	tests := []struct {
		name   string
		now    string
		policy gitstore.Policy
	}{
		{"mid-week", "2026-11-18T14:30:00Z", gitstore.Policy{Days: 30, Weeks: 12, Months: 12}},
		{"across a 53-week year", "2027-01-02T08:00:00Z", gitstore.Policy{Days: 7, Weeks: 8, Months: 3}},
		{"first of a month", "2026-03-01T00:30:00Z", gitstore.Policy{Days: 3, Weeks: 3, Months: 14}},
		{"leap day", "2028-02-29T23:59:00Z", gitstore.Policy{Days: 10, Weeks: 5, Months: 24}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(tt.now)
			history := dailyHistory(now, 400)
			want := referenceRetain(history, tt.policy, now)
			keep, drop := gitstore.Retain(history, tt.policy, now)
			if len(keep)+len(drop) != len(history) {
				t.Fatalf("keep %d + drop %d != %d snapshots", len(keep), len(drop), len(history))
			}
			got := map[string]bool{}
			for _, k := range keep {
				got[k.Name] = true
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("kept %d, reference keeps %d", len(got), len(want))
				for name := range want {
					if !got[name] {
						t.Errorf("dropped %s, which the reference keeps", name)
					}
				}
				for name := range got {
					if !want[name] {
						t.Errorf("kept %s, which the reference drops", name)
					}
				}
			}
		})
	}
}
