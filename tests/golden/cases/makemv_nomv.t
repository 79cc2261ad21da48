# makemv splits a value on a delimiter; nomv joins values again
query: | makeresults | eval regions="us-east-1,eu-west-1,ap-south-1" | makemv delim="," regions | eval n=mvcount(regions) | eval first=mvindex(regions,0) | nomv regions | eval joined=replace(regions, "\n", "+") | table n first joined
---
n,first,joined
3,us-east-1,us-east-1+eu-west-1+ap-south-1
