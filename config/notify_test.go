package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNotifyDefaultsAndExpansion(t *testing.T) {
	cfg, err := Parse([]byte(minimal+`
notify:
  - url: https://hooks.slack.com/services/${SLACK_HOOK}
  - name: ops
    url: https://ops.example.com/kongsnap
    on: [failed, drift, recovered, slow]
    format: json
    slow_after: 10m
  - name: ratio
    url: https://ops.example.com/ratio
    slow_after: 1.5x
`), env(map[string]string{"SLACK_HOOK": "T000/B000/XXXXsecret"}))
	if err != nil {
		t.Fatal(err)
	}
	first, ops, ratio := cfg.Notify[0], cfg.Notify[1], cfg.Notify[2]
	if first.Name != "notify[0]" || first.URL != "https://hooks.slack.com/services/T000/B000/XXXXsecret" ||
		first.Format != FormatSlack || !slices.Equal(first.On, []string{EventFailed, EventRecovered}) ||
		first.SlowAfter != (SlowAfter{Factor: 2}) || time.Duration(first.Timeout) != 10*time.Second {
		t.Errorf("defaults: %+v", first)
	}
	if ops.Format != FormatJSON || ops.SlowAfter != (SlowAfter{Duration: 10 * time.Minute}) || len(ops.On) != 4 {
		t.Errorf("ops: %+v", ops)
	}
	if ratio.SlowAfter != (SlowAfter{Factor: 1.5}) {
		t.Errorf("ratio slow_after = %+v, want 1.5x", ratio.SlowAfter)
	}
	if !slices.Contains(cfg.Secrets(), first.URL) {
		t.Error("a webhook URL is a credential: Secrets must list it so output is scrubbed of it")
	}
}

func TestNotifyErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"no url", "notify:\n  - name: x\n", `notify "x": url must be an http(s) URL`},
		{"bad event", "notify:\n  - url: https://h/x\n    on: [failure]\n", `"failure" is not one of failed, drift, recovered, slow`},
		{"bad format", "notify:\n  - url: https://h/x\n    format: teams\n", "format must be slack or json"},
		{"bad slow_after", "notify:\n  - url: https://h/x\n    slow_after: twice\n", `slow_after "twice" is not a duration`},
		{"zero factor", "notify:\n  - url: https://h/x\n    slow_after: 0x\n", `slow_after "0x"`},
		{"unknown key", "notify:\n  - url: https://h/x\n    channel: ops\n", "field channel not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(minimal+tc.yaml), env(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
