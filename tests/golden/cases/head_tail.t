# head keeps the first results, tail the last in reverse order
query: * | head 3 | tail 2 | table _time eventName
---
_time,eventName
2024-06-01T08:20:00.000+00:00,DescribeInstances
2024-06-01T08:25:00.000+00:00,RunInstances
