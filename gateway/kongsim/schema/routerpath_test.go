package schema

import "testing"

func TestRouterPaths(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/a/b", ""},
		{"/a/../b", "non-normalized path, consider use '/b' instead"},
		{"/a/./b", "non-normalized path, consider use '/a/b' instead"},
		{"/%41bc", "non-normalized path, consider use '/Abc' instead"},
		{"/a%2fb", "non-normalized path, consider use '/a%2Fb' instead"},
		{"/a%2Fb", ""},
		{"/a.b/c", ""},
		{"/a%zz", "invalid url-encoded value: '%zz'"},
		{"~/(?<name>[a-z]+)/(?=x)", ""},
		{"~/users/(?!admin)\\w+$", ""},
		{"~/(a)\\1", ""},
		{"~/users/(foo/profile",
			`invalid regex: '/users/(foo/profile' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")`},
		{"~/[a-", `invalid regex: '/[a-' (PCRE returned: pcre2_compile() failed: missing terminating ] for character class in "/[a-")`},
	}
	for _, tt := range tests {
		if got := validRouterPath(tt.path); got != tt.want {
			t.Errorf("validRouterPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
