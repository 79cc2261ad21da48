# bin puts _time at the start of its 5-minute bin; stats counts per bin
query: * | bin _time span=5m | stats count by _time
---
_time,count
2024-06-01T08:00:00.000+00:00,3
2024-06-01T08:05:00.000+00:00,2
2024-06-01T08:10:00.000+00:00,3
2024-06-01T08:20:00.000+00:00,1
2024-06-01T08:25:00.000+00:00,1
2024-06-01T08:30:00.000+00:00,1
