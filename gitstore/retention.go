package gitstore

import (
	"sort"
	"time"
)

// Default retention counts, used for zero Policy fields.
const (
	DefaultRetentionDays   = 30
	DefaultRetentionWeeks  = 12
	DefaultRetentionMonths = 12
)

// Policy is a grandfather-father-son retention policy: the newest snapshot of each of the last Days calendar days,
// Weeks ISO weeks and Months calendar months (all in UTC, each window including the current one) is kept. A zero
// field takes its default; a negative field keeps nothing for that period.
type Policy struct {
	Days   int
	Weeks  int
	Months int
}

func (p Policy) withDefaults() Policy {
	if p.Days == 0 {
		p.Days = DefaultRetentionDays
	}
	if p.Weeks == 0 {
		p.Weeks = DefaultRetentionWeeks
	}
	if p.Months == 0 {
		p.Months = DefaultRetentionMonths
	}
	return p
}

// Retain splits snapshot tags into those policy keeps at time now and those it would delete, both newest first.
// Tags pointing at a commit listed in protect (such as the branch head) are always kept, and so are tags newer
// than now, which no window can place. Retain does no I/O: pass the result's drop list to DeleteTags.
func Retain(tags []TagInfo, policy Policy, now time.Time, protect ...string) (keep, drop []TagInfo) {
	policy = policy.withDefaults()
	protected := map[string]bool{}
	for _, hash := range protect {
		protected[hash] = true
	}
	sorted := append([]TagInfo(nil), tags...)
	sort.Slice(sorted, func(i, j int) bool { return newer(sorted[i], sorted[j]) })

	today := dayNumber(now)
	thisWeek := isoWeekNumber(now)
	thisMonth := monthNumber(now)
	type bucket struct {
		period string
		n      int
	}
	taken := map[bucket]bool{}
	// claim reports whether t is the newest snapshot seen so far in its period n, ago periods back from now,
	// for a window of size periods. Tags arrive newest first, so the first claim of a bucket wins.
	claim := func(period string, n, ago, size int) bool {
		if ago < 0 || ago >= size || taken[bucket{period, n}] {
			return false
		}
		taken[bucket{period, n}] = true
		return true
	}
	for _, t := range sorted {
		d, w, m := dayNumber(t.Time), isoWeekNumber(t.Time), monthNumber(t.Time)
		// Every claim must run: each period records its newest snapshot independently of the others.
		daily := claim("day", d, today-d, policy.Days)
		weekly := claim("week", w, thisWeek-w, policy.Weeks)
		monthly := claim("month", m, thisMonth-m, policy.Months)
		if daily || weekly || monthly || protected[t.Hash] || t.Time.After(now) {
			keep = append(keep, t)
		} else {
			drop = append(drop, t)
		}
	}
	return keep, drop
}

// dayNumber counts UTC calendar days since the Unix epoch.
func dayNumber(t time.Time) int {
	y, m, d := t.UTC().Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// isoWeekNumber numbers ISO weeks (Monday to Sunday, UTC) consecutively: the day number of the week's Monday / 7.
func isoWeekNumber(t time.Time) int {
	sinceMonday := (int(t.UTC().Weekday()) + 6) % 7
	return (dayNumber(t) - sinceMonday) / 7
}

// monthNumber numbers UTC calendar months consecutively.
func monthNumber(t time.Time) int {
	y, m, _ := t.UTC().Date()
	return y*12 + int(m) - 1
}
