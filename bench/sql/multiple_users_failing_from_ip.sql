-- AWS Multiple Users Failing To Authenticate From Ip: failed console logins per source
-- address and 10-minute bucket, with the distinct user names tried. action=failure is the
-- add-on's reading of responseElements.ConsoleLogin = Failure.
SELECT time_bucket(INTERVAL 10 MINUTE, CAST(eventTime AS TIMESTAMP)) AS _time,
       sourceIPAddress AS src_ip,
       count(DISTINCT json_extract_string(userIdentity, '$.userName')) AS unique_accounts,
       list(DISTINCT json_extract_string(userIdentity, '$.userName')) AS tried_accounts
FROM events
WHERE eventName = 'ConsoleLogin'
  AND json_extract_string(responseElements, '$.ConsoleLogin') = 'Failure'
GROUP BY ALL;
