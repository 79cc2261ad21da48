# iplocation without a database leaves the fields empty
query: eventName=GetObject | iplocation src_ip | table src_ip City Country
---
src_ip,City,Country
198.51.100.10,,
