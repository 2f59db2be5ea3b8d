package snapshot

import "testing"

func TestTargetAddress(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "host and port", in: "example.test:80", want: "example.test:80"},
		{name: "default port", in: "example.test", want: "example.test:8000"},
		{name: "case kept", in: "Example.TEST:81", want: "Example.TEST:81"},
		{name: "ipv6", in: "[::1]:80", want: "[::1]:80"},
		{name: "ipv6 expanded", in: "[0000:0000:0000:0000:0000:0000:0000:0001]:80", want: "[::1]:80"},
		{name: "ipv4", in: "10.0.0.1:80", want: "10.0.0.1:80"},
		{name: "ipv6 default port", in: "[::1]", want: "[::1]:8000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TargetAddress(tt.in); got != tt.want {
				t.Errorf("TargetAddress(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
