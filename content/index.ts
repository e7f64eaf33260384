import enContacts from './en/contacts.json' with { type: 'json' };
import enContract from './en/contract.json' with { type: 'json' };
import enCourse from './en/course.json' with { type: 'json' };
import enCourseAnxiety from './en/course-anxiety.json' with { type: 'json' };
import enCourseDepression from './en/course-depression.json' with { type: 'json' };
import enCourseSleep from './en/course-sleep.json' with { type: 'json' };
import enCourseStress from './en/course-stress.json' with { type: 'json' };
import enEngine from './en/engine.json' with { type: 'json' };
import enInstruments from './en/instruments.json' with { type: 'json' };
import enIntro from './en/intro.json' with { type: 'json' };
import enMessages from './en/messages.json' with { type: 'json' };
import enQuestionnaire from './en/questionnaire.json' with { type: 'json' };
import enSafety from './en/safety.json' with { type: 'json' };
import enService from './en/service.json' with { type: 'json' };
import enSms from './en/sms.json' with { type: 'json' };
import enUi from './en/ui.json' with { type: 'json' };
import enWorkspace from './en/workspace.json' with { type: 'json' };
import nbContacts from './nb/contacts.json' with { type: 'json' };
import nbContract from './nb/contract.json' with { type: 'json' };
import nbCourse from './nb/course.json' with { type: 'json' };
import nbCourseAnxiety from './nb/course-anxiety.json' with { type: 'json' };
import nbCourseDepression from './nb/course-depression.json' with { type: 'json' };
import nbCourseSleep from './nb/course-sleep.json' with { type: 'json' };
import nbCourseStress from './nb/course-stress.json' with { type: 'json' };
import nbEngine from './nb/engine.json' with { type: 'json' };
import nbInstruments from './nb/instruments.json' with { type: 'json' };
import nbIntro from './nb/intro.json' with { type: 'json' };
import nbMessages from './nb/messages.json' with { type: 'json' };
import nbQuestionnaire from './nb/questionnaire.json' with { type: 'json' };
import nbSafety from './nb/safety.json' with { type: 'json' };
import nbService from './nb/service.json' with { type: 'json' };
import nbSms from './nb/sms.json' with { type: 'json' };
import nbUi from './nb/ui.json' with { type: 'json' };
import nbWorkspace from './nb/workspace.json' with { type: 'json' };

/**
 * Every content file, per locale, imported statically so the same bundle works on Node and Workers.
 * Add a new file to both locales here; `buildCatalog` refuses a key that is missing in either.
 */
export const contentFiles = {
  nb: {
    'contacts.json': nbContacts,
    'contract.json': nbContract,
    'course.json': nbCourse,
    'course-anxiety.json': nbCourseAnxiety,
    'course-depression.json': nbCourseDepression,
    'course-sleep.json': nbCourseSleep,
    'course-stress.json': nbCourseStress,
    'engine.json': nbEngine,
    'instruments.json': nbInstruments,
    'intro.json': nbIntro,
    'messages.json': nbMessages,
    'questionnaire.json': nbQuestionnaire,
    'safety.json': nbSafety,
    'service.json': nbService,
    'sms.json': nbSms,
    'ui.json': nbUi,
    'workspace.json': nbWorkspace,
  },
  en: {
    'contacts.json': enContacts,
    'contract.json': enContract,
    'course.json': enCourse,
    'course-anxiety.json': enCourseAnxiety,
    'course-depression.json': enCourseDepression,
    'course-sleep.json': enCourseSleep,
    'course-stress.json': enCourseStress,
    'engine.json': enEngine,
    'instruments.json': enInstruments,
    'intro.json': enIntro,
    'messages.json': enMessages,
    'questionnaire.json': enQuestionnaire,
    'safety.json': enSafety,
    'service.json': enService,
    'sms.json': enSms,
    'ui.json': enUi,
    'workspace.json': enWorkspace,
  },
};
