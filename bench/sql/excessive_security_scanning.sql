-- AWS Excessive Security Scanning: principals calling more than 50 distinct Describe*,
-- List* or Get* APIs (Splunk's wildcards ignore case, hence ILIKE). `user` is the
-- add-on's calculated field, approximated: the user name, else the role's session issuer,
-- else the last part of the ARN.
SELECT "user", arn,
       count(DISTINCT eventName) AS dc_events,
       min(eventTime) AS firstTime,
       max(eventTime) AS lastTime,
       list(DISTINCT eventName) AS command,
       list(DISTINCT sourceIPAddress) AS src,
       list(DISTINCT userAgent) AS userAgent
FROM (
  SELECT eventName, eventTime, sourceIPAddress, userAgent,
         json_extract_string(userIdentity, '$.arn') AS arn,
         coalesce(json_extract_string(userIdentity, '$.userName'),
                  json_extract_string(userIdentity, '$.sessionContext.sessionIssuer.userName'),
                  regexp_extract(json_extract_string(userIdentity, '$.arn'), '[^/:]+$')) AS "user"
  FROM events
  WHERE eventName ILIKE 'Describe%' OR eventName ILIKE 'List%' OR eventName ILIKE 'Get%'
)
GROUP BY "user", arn
HAVING count(DISTINCT eventName) > 50;
