# rex pulls named groups out of a field; max_match=0 keeps every match
query: eventName=ConsoleLogin | rex field=userAgent "\((?<os>[^;)]+)" | rex field=src_ip "(?<octet>\d+)" max_match=0 | table user os octet
---
user,os,octet
bob,Windows NT 10.0,"203
0
113
5"
bob,Windows NT 10.0,"203
0
113
5"
alice,X11,"198
51
100
10"
