# top with count and percent
query: * | top limit=2 user
---
user,count,percent
bob,4,50.000000
alice,4,50.000000
