# convert ctime with timeformat, and dur2sec
query: eventName=ConsoleLogin | stats min(_time) as firstTime max(_time) as lastTime by user | eval d="01:02:03" | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) ctime(lastTime) dur2sec(d) | table user firstTime lastTime d
---
user,firstTime,lastTime,d
alice,2024-06-01T08:00:00,2024-06-01T08:00:00,3723
bob,2024-06-01T08:01:00,2024-06-01T08:01:30,3723
