# the first search: field=value (case-insensitive value, wildcard) and a bare term
query: eventName=consolelogin* failed | table _time user src_ip
---
_time,user,src_ip
2024-06-01T08:01:30.000+00:00,bob,203.0.113.5
2024-06-01T08:01:00.000+00:00,bob,203.0.113.5
