# Reads a cloud-init network-config v2 (the subset vmsaga writes) and prints one
# line per ethernet: id|mac|set-name|addr addr...|gateway|to=via to=via...
function val(s) { sub(/^[^:]*:[ \t]*/, "", s); gsub(/["' \t\r]/, "", s); return s }
function endroute() {
	if (rto == "0.0.0.0/0" || rto == "default") gw = rvia
	else if (rto != "" && rvia != "") routes = routes " " rto "=" rvia
	rto = rvia = ""
}
function flush() {
	endroute()
	if (id != "") print id "|" mac "|" name "|" addrs "|" gw "|" routes
	id = mac = name = addrs = gw = routes = mode = ""; pind = -1
}
BEGIN { pind = -1; eind = -1 }
{ sub(/\r$/, ""); sub(/[ \t]+#.*$/, ""); sub(/^#.*$/, "") }
/^[ \t]*$/ { next }
{ match($0, /^[ \t]*/); ind = RLENGTH; line = substr($0, ind + 1) }
ind == 0 { flush(); sect = line; next }
sect !~ /^ethernets:/ { next }
eind < 0 { eind = ind }
ind == eind { flush(); id = line; sub(/:.*/, "", id); gsub(/["']/, "", id); next }
pind < 0 { pind = ind }
ind == pind && line !~ /^-/ {
	endroute()
	key = line; sub(/:.*/, "", key); mode = key; v = val(line)
	if (key == "addresses" && v ~ /^\[/) { gsub(/[][]/, "", v); gsub(/,/, " ", v); addrs = v }
	else if (key == "gateway4") gw = v
	else if (key == "set-name") name = v
	else if (key == "match" && v ~ /macaddress/) { sub(/.*macaddress:/, "", v); sub(/[,}].*/, "", v); mac = tolower(v) }
	next
}
mode == "match" && line ~ /^macaddress:/ { mac = tolower(val(line)); next }
mode == "addresses" && line ~ /^-/ { a = line; sub(/^-[ \t]*/, "", a); gsub(/["' \t]/, "", a); addrs = addrs (addrs == "" ? "" : " ") a; next }
mode == "routes" {
	if (line ~ /^-/) { endroute(); sub(/^-[ \t]*/, "", line) }
	if (line ~ /^to:/) rto = val(line)
	else if (line ~ /^via:/) rvia = val(line)
}
END { flush() }
