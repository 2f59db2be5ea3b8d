package kongsim

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// Listener lists as kong/conf_loader/listeners.lua adds them to the configuration GET / serves: for each
// *_listen value a *_listeners list of {ip, port, listener, <flag>: bool...}, and the ssl flags.

var (
	httpListenFlags   = []string{"ssl", "http2", "proxy_protocol", "deferred", "bind", "reuseport", "backlog=%d+", "ipv6only=on", "ipv6only=off", "so_keepalive=on", "so_keepalive=off", "so_keepalive=%w*:%w*:%d*"}
	streamListenFlags = []string{"udp", "ssl", "proxy_protocol", "bind", "reuseport", "backlog=%d+", "ipv6only=on", "ipv6only=off", "so_keepalive=on", "so_keepalive=off", "so_keepalive=%w*:%w*:%d*"}
)

// listenConfig is what kongsim reports for each listener setting, as the kong:3.9 image configures it.
var listenConfig = []struct {
	name, sslFlag string
	values        []any
	flags         []string
}{
	{"proxy_listen", "proxy_ssl_enabled", []any{"0.0.0.0:8000", "0.0.0.0:8443 ssl"}, httpListenFlags},
	{"stream_listen", "stream_proxy_ssl_enabled", []any{"off"}, streamListenFlags},
	{"admin_listen", "admin_ssl_enabled", []any{"0.0.0.0:8001"}, httpListenFlags},
	{"admin_gui_listen", "admin_gui_ssl_enabled", []any{"0.0.0.0:8002", "0.0.0.0:8445 ssl"}, httpListenFlags},
	{"status_listen", "status_ssl_enabled", []any{"off"}, httpListenFlags},
	{"cluster_listen", "", []any{"off"}, httpListenFlags},
}

// addListeners sets every listen value and its parsed listeners in conf.
func addListeners(conf map[string]any) {
	for _, l := range listenConfig {
		conf[l.name] = l.values
		list := parseListeners(l.values, l.flags)
		if len(list) == 0 {
			conf[l.name+"ers"] = map[string]any{} // an empty Lua table encodes as an object
		} else {
			conf[l.name+"ers"] = list
		}
		if l.sslFlag != "" {
			ssl := false
			for _, e := range list {
				ssl = ssl || e.(map[string]any)["ssl"] == true
			}
			conf[l.sslFlag] = ssl
		}
	}
}

func parseListeners(values []any, flags []string) []any {
	list := []any{}
	if len(values) == 0 || strings.TrimSpace(values[0].(string)) == "off" {
		return list
	}
	for _, v := range values {
		entry := " " + v.(string) + " "
		listener := map[string]any{}
		var cleaned []string
		for _, flag := range flags {
			re := regexp.MustCompile(`\s(` + luaClassToRE(flag) + `)\s`)
			found := re.FindStringSubmatch(entry)
			if found == nil {
				listener[flag] = false
				continue
			}
			entry = re.ReplaceAllString(entry, " ")
			listener[found[1]] = true
			if found[1] != "http2" {
				cleaned = append(cleaned, found[1])
			}
		}
		host, portStr := hostPort(strings.TrimSpace(entry))
		port, _ := strconv.Atoi(portStr)
		listener["ip"] = host
		listener["port"] = port
		listener["listener"] = strings.TrimSpace(host + ":" + portStr + " " + strings.Join(cleaned, " "))
		list = append(list, listener)
	}
	return list
}

func hostPort(s string) (string, string) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, ""
	}
	host := s[:i]
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && addr.Is6() {
		host = "[" + addr.String() + "]"
	}
	return host, s[i+1:]
}

// luaClassToRE turns the few Lua pattern classes the flag list uses into RE2.
func luaClassToRE(p string) string {
	return strings.NewReplacer("%d", `\d`, "%w", `\w`).Replace(p)
}
