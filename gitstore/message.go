package gitstore

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Trailer is one `Key: value` line of a commit message's final paragraph, as `git interpret-trailers` writes them.
type Trailer struct {
	Key   string
	Value string
}

// Commit describes a snapshot commit.
type Commit struct {
	// Hash is the full hexadecimal commit hash.
	Hash string
	// Time is when the snapshot was taken: the commit's author time. It survives recommits onto a moved remote
	// branch, which change only the committer time.
	Time time.Time
	// Summary is the first line of the commit message.
	Summary string
	// Trailers are parsed from the message's final paragraph, in order.
	Trailers []Trailer
	// Tags are the names of the tags pointing at the commit, sorted.
	Tags []string
}

// Trailer returns the value of the first trailer whose key equals key, ignoring case as git does, or "".
func (c Commit) Trailer(key string) string {
	for _, t := range c.Trailers {
		if strings.EqualFold(t.Key, key) {
			return t.Value
		}
	}
	return ""
}

var trailerKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)

// formatMessage builds "summary\n\nbody\n\nKey: value\n..." and rejects input that would not parse back the same.
func formatMessage(summary, body string, trailers []Trailer) (string, error) {
	summary = strings.TrimSpace(summary)
	if summary == "" || strings.ContainsAny(summary, "\r\n") {
		return "", fmt.Errorf("summary %q must be one non-empty line", summary)
	}
	paragraphs := []string{summary}
	if body = strings.TrimSpace(body); body != "" {
		if _, ok := parseTrailers(lastParagraph(body)); ok {
			return "", fmt.Errorf("body's last paragraph would read as trailers: %q", lastParagraph(body))
		}
		paragraphs = append(paragraphs, body)
	}
	if len(trailers) > 0 {
		lines := make([]string, len(trailers))
		for i, t := range trailers {
			if !trailerKey.MatchString(t.Key) {
				return "", fmt.Errorf("trailer key %q must be letters, digits and dashes", t.Key)
			}
			if t.Value == "" || strings.ContainsAny(t.Value, "\r\n") || strings.TrimSpace(t.Value) != t.Value {
				return "", fmt.Errorf("trailer %s: value %q must be one non-empty line without surrounding spaces", t.Key, t.Value)
			}
			lines[i] = t.Key + ": " + t.Value
		}
		paragraphs = append(paragraphs, strings.Join(lines, "\n"))
	}
	return strings.Join(paragraphs, "\n\n") + "\n", nil
}

// parseMessage splits a commit message into its summary and trailers. The first paragraph is never trailers, so a
// summary like "prod: 2 services changed" stays a summary.
func parseMessage(msg string) (summary string, trailers []Trailer) {
	msg = strings.TrimSpace(strings.ReplaceAll(msg, "\r\n", "\n"))
	summary, _, _ = strings.Cut(msg, "\n")
	if !strings.Contains(msg, "\n\n") {
		return summary, nil
	}
	trailers, _ = parseTrailers(lastParagraph(msg))
	return summary, trailers
}

func lastParagraph(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.LastIndex(text, "\n\n"); i >= 0 {
		return strings.TrimSpace(text[i+2:])
	}
	return text
}

// parseTrailers reads paragraph as trailers; ok is false unless every line is one.
func parseTrailers(paragraph string) (trailers []Trailer, ok bool) {
	for _, line := range strings.Split(paragraph, "\n") {
		key, value, found := strings.Cut(line, ":")
		if !found || !trailerKey.MatchString(key) {
			return nil, false
		}
		trailers = append(trailers, Trailer{Key: key, Value: strings.TrimSpace(value)})
	}
	return trailers, len(trailers) > 0
}
