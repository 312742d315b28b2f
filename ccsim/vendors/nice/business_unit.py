"""The body of GET …/business-unit, which the agent SDK reads at start-up (reference §5.2).

Field names and types are those of the Admin API's "Get Business Unit Config" response example
(GetBusinessUnitConfigResponse_General in the developer portal's models, as copied in GitHub
drazenzadravec/projects nice/sdk/json/jsAllModels.js), plus `isUnifiedRoutingEnabled`, which the
SDK reads beside them (core-sdk util/api-parser.js parseBusinessUnit: features,
maxConferenceParties, fileExtensions, isMultiContactHandling, isUnifiedRoutingEnabled of
businessUnits[0]). The values are ccsim's (INFERRED; contracts/nice/README.md).
"""
from __future__ import annotations

from typing import Any

from .settings import NiceSettings

# Conference parties the agent may join: AgentSessionStart says CanMultiPartyConference "True".
MAX_CONFERENCE_PARTIES = 6


def business_unit(settings: NiceSettings) -> dict[str, Any]:
    return {
        "businessUnitId": int(settings.business_unit), "businessUnitName": settings.business_unit_name,
        "globalCallerId": "", "phoneTimeout": int(settings.refusal_timeout_seconds), "userSessionTimeout": 0,
        "startDayOfWeek": 0, "defaultTimeZone": "UTC", "agentsUseDefaultTimeZone": True, "maxScriptHistory": 0,
        "authGUID": "", "coBrand": False, "coBrandProfileId": 0, "coBrandProfileName": "",
        "connectivityType": "", "clientConnectorPort": 0, "callSuppression": False, "priorityBasedBlending": False,
        "enableFiltering": False, "allowPredictiveDialing": False, "enableTrueBlending": False,
        "enableSkillAbandonRate": False, "abandonRateScope": 0, "defaultConfirmationDeliveryModeId": 0,
        "defaultConfirmationDeliveryMode": "", "defaultComplianceRecordTypeId": 0,
        "defaultComplianceRecordType": "", "defaultContactExpirationMinutes": 0,
        "daysUntilListSourceIsFlaggedForDeletion": 0, "scriptNamespace": "", "apiPublishedLimit": 0,
        "concurrentPortLimit": 0, "ivrSurveyCallbackLimit": 0, "stationLimit": 0, "userLimit": 0,
        "concurrentAgentLimit": 0, "outboundPortLimit": 0, "agentlessPortLimit": 0,
        "maxConferenceParties": MAX_CONFERENCE_PARTIES,
        "custom1": "", "custom2": "", "custom3": "", "custom4": "", "custom5": "", "isActive": True,
        "presenceMasterId": 0, "tenantId": "", "parentTenantId": "",
        "features": [],  # no optional products licensed
        "fileExtensions": [],
        "timeZones": [{"displayName": "(UTC) Coordinated Universal Time", "standardName": "UTC"}],
        "parentBusinessUnitID": 0, "isIntegratedTenant": False, "niceEngageConfigId": 0, "niceWFMConfigID": 0,
        "niceQMTenantID": 0, "niceWFMTenantId": 0, "ieX_CustomerName": "",
        # ccsim offers an agent several digital contacts at once (per its capacity), never two calls.
        "isMultiContactHandling": True, "isUnifiedRoutingEnabled": False,
    }
