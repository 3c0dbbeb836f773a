// UI strings in English and Chinese. The language follows the browser until the user picks one (kept in localStorage).
const strings = {
  en: {
    skip: 'Skip to content', language: 'Language', signout: 'Sign out', cancel: 'Cancel', confirm: 'Delete',
    'nav.ask': 'Ask', 'nav.kb': 'Knowledge bases',
    'signin.title': 'Sign in', 'signin.key': 'API key', 'signin.submit': 'Sign in',
    'signin.hint': 'The key is kept only in this tab (sessionStorage) and sent as X-Api-Key.',
    'signin.runsh': 'Started with ./run.sh? It wrote an admin key to data/bootstrap-admin.key in the repository folder (cat data/bootstrap-admin.key).',
    'signin.as': 'Signed in as {client} ({role})',
    'ask.collection': 'Knowledge base', 'ask.question': 'Question', 'ask.submit': 'Ask', 'ask.answer': 'Answer',
    'ask.sources': 'Sources', 'ask.prompt': 'Prompt sent to the LLM', 'ask.promptunsent': 'Prompt that would be sent to the LLM (not sent)',
    'ask.closest': 'Closest passages (below the relevance floor)', 'ask.why': 'Why these sources?',
    'ask.thinking': 'Searching…', 'ask.streaming': 'Answering…', 'ask.done': 'Done in {ms} ms ({mode}).',
    'ask.nollm': 'No LLM is configured, so there is no written answer. These are the sources found and the prompt an LLM would get.',
    'ask.notfound': 'Not found: the knowledge base has nothing relevant enough to answer this question.',
    'ask.llmerror': 'The answer stopped: {detail}',
    'ask.nosources': 'No passage matched.', 'ask.nocollection': 'Create a knowledge base first.',
    'ask.section': 'Section', 'ask.page': 'Page', 'ask.updated': 'Updated', 'ask.document': 'Document',
    'ask.assembled': 'Assembled', 'ask.hit': 'hit {ranks}', 'ask.merged': 'hits {ranks} merged',
    'ask.expanded': '+{n} neighbouring chunks', 'ask.tokens': '{n} tokens',
    'insp.title': 'Why these sources', 'insp.mode': 'Mode', 'insp.rerank': 'Rerank', 'insp.fusion': 'Fusion',
    'insp.auto': 'auto', 'insp.on': 'on', 'insp.off': 'off', 'insp.weighted': 'weighted', 'insp.calibrated': 'calibrated', 'insp.rerun': 'Rerun',
    'insp.stages': 'Stages', 'insp.stage': 'Stage', 'insp.status': 'Status', 'insp.count': 'Candidates', 'insp.ms': 'ms',
    'insp.engine': 'Engine', 'insp.detail': 'Detail', 'insp.candidates': 'Every candidate', 'insp.final': 'Final',
    'insp.fused': 'Fused', 'insp.passage': 'Passage', 'insp.bm25score': 'BM25 score', 'insp.denserank': 'Dense #',
    'insp.densescore': 'Dense score', 'insp.fusionscore': 'Fusion', 'insp.neighbourscore': 'Neighbours', 'insp.rerankscore': 'Rerank',
    'insp.summary': '“{query}”: requested {requested}, ran {mode}; {count} candidates; {ms} ms.',
    'kb.list': 'Knowledge bases', 'kb.newname': 'New knowledge base name (lower-case letters, digits, - and _)',
    'kb.badname': 'Use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit (e.g. my-kb).', 'kb.create': 'Create',
    'kb.delete': 'Delete knowledge base', 'kb.drop': 'Drop files here (a .zip or .tar.gz syncs a folder as a job), or', 'kb.choose': 'Choose files',
    'kb.documents': 'Documents', 'kb.doc': 'Document', 'kb.format': 'Format', 'kb.chunks': 'Chunks', 'kb.updated': 'Updated',
    'kb.actions': 'Actions', 'kb.jobs': 'Jobs', 'kb.deletedoc': 'Delete',
    'kb.confirmdelete': 'Delete the knowledge base “{name}” with all its documents? This cannot be undone.',
    'kb.confirmdeletedoc': 'Delete the document “{name}” and its chunks?',
    'kb.empty': 'No knowledge base yet.', 'kb.nodocs': 'No documents yet.', 'kb.nojobs': 'No jobs for this knowledge base.',
    'kb.uploading': 'uploading {pct}%', 'kb.processing': 'extracting and indexing…',
    'kb.uploaded': '{status}: {chunks} chunks', 'kb.failed': 'failed: {detail}',
    'kb.syncjob': 'sync job {id}: {state}',
    'kb.chunksof': 'Chunks of “{name}”', 'kb.created': 'Knowledge base “{name}” created.',
    'kb.deleted': '“{name}” deleted.',
    'stats.documents': 'Documents', 'stats.chunks': 'Chunks', 'stats.bytes': 'Text', 'stats.engines': 'Engines',
    'stats.vectors': 'Vectors', 'stats.analyzer': 'Analyzer', 'stats.chunking': 'Chunking', 'stats.modelfit': 'Model fit',
    'stats.fusion': 'Fusion calibration', 'stats.none': 'not reported',
    'job.progress': '{kind} {state}, {stage}: {done}/{total}',
    'err.network': 'The service could not be reached. Check that it is running and try again.',
    'err.401': 'The API key was not accepted. Check it, or ask an administrator for a new one.',
    'err.403': 'This key may not do that. {detail}',
    'err.404': 'Not found. {detail}', 'err.409': 'Conflict. {detail}', 'err.413': 'Too large. {detail}',
    'err.415': 'This file type is not supported. {detail}', 'err.429': 'Too many requests; wait a moment and try again. {detail}',
    'err.400': 'Please fix the request. {detail}', 'err.422': 'The document could not be read. {detail}',
    'err.502': 'The language model failed. {detail}', 'err.503': 'A part of the service is unavailable. {detail}',
    'err.504': 'The language model took too long. {detail}', 'err.other': 'Something went wrong ({status}). {detail}',
  },
  zh: {
    skip: '跳到内容', language: '语言', signout: '退出', cancel: '取消', confirm: '删除',
    'nav.ask': '提问', 'nav.kb': '知识库',
    'signin.title': '登录', 'signin.key': 'API 密钥', 'signin.submit': '登录',
    'signin.hint': '密钥只保存在当前标签页（sessionStorage），以 X-Api-Key 发送。',
    'signin.runsh': '用 ./run.sh 启动的？它把管理员密钥写在仓库目录的 data/bootstrap-admin.key（cat data/bootstrap-admin.key）。',
    'signin.as': '已登录：{client}（{role}）',
    'ask.collection': '知识库', 'ask.question': '问题', 'ask.submit': '提问', 'ask.answer': '回答',
    'ask.sources': '来源', 'ask.prompt': '发送给大模型的提示词', 'ask.promptunsent': '将发送给大模型的提示词（未发送）',
    'ask.closest': '最接近的段落（低于相关性阈值）', 'ask.why': '为什么是这些来源？',
    'ask.thinking': '检索中…', 'ask.streaming': '生成回答中…', 'ask.done': '完成，用时 {ms} 毫秒（{mode}）。',
    'ask.nollm': '未配置大模型，因此没有生成回答。下面是检索到的来源和将发送给大模型的提示词。',
    'ask.notfound': '未找到：知识库中没有足够相关的内容来回答这个问题。',
    'ask.llmerror': '回答中断：{detail}',
    'ask.nosources': '没有匹配的段落。', 'ask.nocollection': '请先创建一个知识库。',
    'ask.section': '章节', 'ask.page': '页码', 'ask.updated': '更新于', 'ask.document': '文档',
    'ask.assembled': '组成', 'ask.hit': '命中 {ranks}', 'ask.merged': '命中 {ranks} 已合并',
    'ask.expanded': '+{n} 个相邻片段', 'ask.tokens': '{n} 个词元',
    'insp.title': '为什么是这些来源', 'insp.mode': '检索方式', 'insp.rerank': '重排序', 'insp.fusion': '融合',
    'insp.auto': '自动', 'insp.on': '开', 'insp.off': '关', 'insp.weighted': '加权', 'insp.calibrated': '校准', 'insp.rerun': '重新检索',
    'insp.stages': '各阶段', 'insp.stage': '阶段', 'insp.status': '状态', 'insp.count': '候选数', 'insp.ms': '毫秒',
    'insp.engine': '引擎', 'insp.detail': '说明', 'insp.candidates': '全部候选', 'insp.final': '最终',
    'insp.fused': '融合后', 'insp.passage': '段落', 'insp.bm25score': 'BM25 分数', 'insp.denserank': '向量 #',
    'insp.densescore': '向量分数', 'insp.fusionscore': '融合分数', 'insp.neighbourscore': '邻近分数', 'insp.rerankscore': '重排分数',
    'insp.summary': '“{query}”：请求 {requested}，实际 {mode}；{count} 个候选；{ms} 毫秒。',
    'kb.list': '知识库', 'kb.newname': '新知识库名称（小写字母、数字、- 和 _）',
    'kb.badname': '请用 1 到 64 个小写字母、数字、- 或 _，并以字母或数字开头（例如 my-kb）。', 'kb.create': '创建',
    'kb.delete': '删除知识库', 'kb.drop': '把文件拖到这里（.zip 或 .tar.gz 作为文件夹同步任务），或', 'kb.choose': '选择文件',
    'kb.documents': '文档', 'kb.doc': '文档', 'kb.format': '格式', 'kb.chunks': '分块', 'kb.updated': '更新于',
    'kb.actions': '操作', 'kb.jobs': '任务', 'kb.deletedoc': '删除',
    'kb.confirmdelete': '删除知识库“{name}”及其全部文档？此操作无法撤销。',
    'kb.confirmdeletedoc': '删除文档“{name}”及其分块？',
    'kb.empty': '还没有知识库。', 'kb.nodocs': '还没有文档。', 'kb.nojobs': '这个知识库没有任务。',
    'kb.uploading': '上传中 {pct}%', 'kb.processing': '正在提取和索引…',
    'kb.uploaded': '{status}：{chunks} 个分块', 'kb.failed': '失败：{detail}',
    'kb.syncjob': '同步任务 {id}：{state}',
    'kb.chunksof': '“{name}”的分块', 'kb.created': '已创建知识库“{name}”。',
    'kb.deleted': '已删除“{name}”。',
    'stats.documents': '文档', 'stats.chunks': '分块', 'stats.bytes': '文本', 'stats.engines': '引擎',
    'stats.vectors': '向量', 'stats.analyzer': '分词器', 'stats.chunking': '分块方式', 'stats.modelfit': '模型适配',
    'stats.fusion': '融合校准', 'stats.none': '未报告',
    'job.progress': '{kind} {state}，{stage}：{done}/{total}',
    'err.network': '无法连接服务。请确认服务正在运行后重试。',
    'err.401': 'API 密钥无效。请检查，或向管理员申请新密钥。',
    'err.403': '此密钥无权执行该操作。{detail}',
    'err.404': '未找到。{detail}', 'err.409': '冲突。{detail}', 'err.413': '内容过大。{detail}',
    'err.415': '不支持此文件类型。{detail}', 'err.429': '请求过多，请稍后再试。{detail}',
    'err.400': '请修改请求。{detail}', 'err.422': '无法读取该文档。{detail}',
    'err.502': '大模型出错。{detail}', 'err.503': '服务的某个部分不可用。{detail}',
    'err.504': '大模型响应超时。{detail}', 'err.other': '出错了（{status}）。{detail}',
  },
};

const stored = localStorage.getItem('rag.lang');
// navigator.languages is the user's ordered preference (Accept-Language); navigator.language is the UI's locale.
const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
let current = stored && strings[stored] ? stored : (preferred.toLowerCase().startsWith('zh') ? 'zh' : 'en');

export function language() {
  return current;
}

export function setLanguage(lang) {
  current = strings[lang] ? lang : 'en';
  localStorage.setItem('rag.lang', current);
  apply();
}

/** The string for key in the current language, with {name} placeholders filled from args. */
export function t(key, args = {}) {
  const text = strings[current][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (args[name] ?? '').toString());
}

/** Re-labels every element that names its string with data-i18n. */
export function apply(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
}
