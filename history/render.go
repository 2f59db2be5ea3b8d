package history

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// StatusFile is the page at the root of the status branch.
const StatusFile = "STATUS.md"

// sparkPoints is how many snapshots a sparkline shows.
const sparkPoints = 30

// Render computes the files derived from the records on the status branch: STATUS.md, one badge per connection
// (badges/<connection>.svg) and one sparkline of entity counts per connection (badges/<connection>-entities.svg).
// It reads only the records, so the same history always renders the same bytes, and a merge of two runs' records
// renders once more from their union. A line that is not a record is left out and named on the page, so damage
// never stops new records from landing.
func Render(files map[string][]byte) (map[string][]byte, error) {
	records, damage := recent(files)
	byConn := map[string][]Record{}
	for _, r := range records {
		byConn[r.Connection] = append(byConn[r.Connection], r)
	}
	names := make([]string, 0, len(byConn))
	for name := range byConn {
		names = append(names, name)
	}
	sort.Strings(names)

	out := map[string][]byte{}
	var page strings.Builder
	page.WriteString("# kongsnap status\n\n")
	page.WriteString("Written by kongsnap on every backup, drift, restore and prune from the run history on this branch " +
		"(`history/<connection>/<month>.jsonl`). Times are UTC.")
	if len(records) > 0 {
		last := records[len(records)-1]
		for _, r := range records {
			if r.Finished.After(last.Finished) {
				last = r
			}
		}
		fmt.Fprintf(&page, " Last run: %s (%s, run %s).", last.Finished.UTC().Format(textTime), last.Command, cell(last.RunID))
	}
	page.WriteString("\n\n| connection | backup | last success | last failure | entities, last 30 snapshots |\n")
	page.WriteString("|---|---|---|---|---|\n")
	for _, name := range names {
		backups := Previous(byConn[name], name, BackupCommand)
		state, lastOK, lastFail := standing(backups)
		badge, spark := "badges/"+name+".svg", "badges/"+name+"-entities.svg"
		out[badge] = Badge(name, state)
		counts := entityCounts(byConn[name])
		sparkCell := "—"
		if len(counts) > 0 {
			out[spark] = Sparkline(counts)
			sparkCell = fmt.Sprintf("![entities of %s](%s) %d", name, spark, counts[len(counts)-1])
		}
		ok, fail := "never", "none"
		if lastOK != nil {
			ok = lastOK.Finished.UTC().Format(textTime)
		}
		if lastFail != nil {
			fail = lastFail.Finished.UTC().Format(textTime) + ": " + cell(truncate(lastFail.Error, 160))
		}
		fmt.Fprintf(&page, "| %s | ![%s: %s](%s) | %s | %s | %s |\n", cell(name), name, state, badge, ok, fail, sparkCell)
	}
	if len(names) == 0 {
		page.WriteString("| (no runs recorded yet) | | | | |\n")
	}
	if len(damage) > 0 {
		fmt.Fprintf(&page, "\n**%d damaged history lines are left out** (`kongsnap status` names them), the first: %s\n",
			len(damage), cell(truncate(damage[0].Error(), 200)))
	}
	out[StatusFile] = []byte(page.String())
	return out, nil
}

// recent parses what the page needs and no more: per connection, month files newest first until they hold its
// latest backup, last success and last 30 snapshots; older months only when they may hold its last failure. A
// year of hourly runs then costs a month's parsing, not a year's.
func recent(files map[string][]byte) ([]Record, []error) {
	months := map[string][]string{} // connection → its record files
	for name := range files {
		if isRecordFile(name) {
			conn := strings.Split(name, "/")[1]
			months[conn] = append(months[conn], name)
		}
	}
	conns := make([]string, 0, len(months))
	for conn := range months {
		conns = append(conns, conn)
	}
	sort.Strings(conns) // so the damage is listed in one order
	var records []Record
	var damage []error
	for _, conn := range conns {
		names := months[conn]
		sort.Sort(sort.Reverse(sort.StringSlice(names))) // YYYY-MM sorts by time
		var backup, ok, failed bool
		snapshots := 0
		for _, name := range names {
			if backup && ok && snapshots >= sparkPoints {
				if failed {
					break
				}
				if !bytes.Contains(files[name], []byte(`"failed"`)) {
					continue // only a failure could still matter, and this month has none
				}
			}
			recs, dmg := Parse(map[string][]byte{name: files[name]})
			damage = append(damage, dmg...)
			for _, r := range recs {
				if r.Command != BackupCommand {
					continue
				}
				backup = true
				ok = ok || r.Succeeded()
				failed = failed || r.Status == Failed
				if r.Status == Completed && r.Commit != "" {
					snapshots++
				}
			}
			records = append(records, recs...)
		}
	}
	sortRecords(records)
	return records, damage
}

// standing is a connection's state and its last successful and failed backups.
func standing(backups []Record) (state State, lastOK, lastFail *Record) {
	state = Unknown
	for i := range backups {
		if backups[i].Succeeded() {
			lastOK, state = &backups[i], Passing
		} else {
			lastFail, state = &backups[i], Failing
		}
	}
	return state, lastOK, lastFail
}

// entityCounts lists the entity counts of the last snapshots a connection's backups committed, oldest first.
func entityCounts(records []Record) []int {
	var counts []int
	for _, r := range records {
		if r.Command == BackupCommand && r.Commit != "" && r.Status == Completed {
			counts = append(counts, r.Entities)
		}
	}
	if len(counts) > sparkPoints {
		counts = counts[len(counts)-sparkPoints:]
	}
	return counts
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
